/// One step of a circuit. Encoded with an explicit `op` tag so the JSON stays stable and readable.
public enum QuantumOperation: Sendable, Hashable {
    case gate(QuantumGate)
    case measure(qubit: Int, clbit: Int)
    case reset(qubit: Int)
    case barrier(qubits: [Int])

    public var qubits: [Int] {
        switch self {
        case .gate(let g): return g.qubits
        case .measure(let q, _): return [q]
        case .reset(let q): return [q]
        case .barrier(let qs): return qs
        }
    }
}

extension QuantumOperation: Codable {
    private enum CodingKeys: String, CodingKey { case op, name, qubits, params, clbit }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let op = try c.decode(String.self, forKey: .op)
        switch op {
        case "gate":
            let name = try c.decode(String.self, forKey: .name)
            guard let kind = GateKind.named(name) else {
                throw DecodingError.dataCorruptedError(forKey: .name, in: c, debugDescription: "unknown gate '\(name)'")
            }
            self = .gate(QuantumGate(kind, try c.decode([Int].self, forKey: .qubits),
                                     try c.decodeIfPresent([Double].self, forKey: .params) ?? []))
        case "measure":
            let qs = try c.decode([Int].self, forKey: .qubits)
            guard qs.count == 1 else {
                throw DecodingError.dataCorruptedError(forKey: .qubits, in: c, debugDescription: "measure takes one qubit")
            }
            self = .measure(qubit: qs[0], clbit: try c.decode(Int.self, forKey: .clbit))
        case "reset":
            let qs = try c.decode([Int].self, forKey: .qubits)
            guard qs.count == 1 else {
                throw DecodingError.dataCorruptedError(forKey: .qubits, in: c, debugDescription: "reset takes one qubit")
            }
            self = .reset(qubit: qs[0])
        case "barrier":
            self = .barrier(qubits: try c.decode([Int].self, forKey: .qubits))
        default:
            throw DecodingError.dataCorruptedError(forKey: .op, in: c, debugDescription: "unknown operation '\(op)'")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .gate(let g):
            try c.encode("gate", forKey: .op)
            try c.encode(g.kind.rawValue, forKey: .name)
            try c.encode(g.qubits, forKey: .qubits)
            if !g.parameters.isEmpty { try c.encode(g.parameters, forKey: .params) }
        case .measure(let q, let b):
            try c.encode("measure", forKey: .op)
            try c.encode([q], forKey: .qubits)
            try c.encode(b, forKey: .clbit)
        case .reset(let q):
            try c.encode("reset", forKey: .op)
            try c.encode([q], forKey: .qubits)
        case .barrier(let qs):
            try c.encode("barrier", forKey: .op)
            try c.encode(qs, forKey: .qubits)
        }
    }
}
