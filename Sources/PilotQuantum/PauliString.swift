/// A tensor product of Pauli operators. Text form follows Qiskit: the rightmost character acts on
/// qubit 0, so "XIZ" is Z on qubit 0 and X on qubit 2.
public struct PauliString: Sendable, Hashable, CustomStringConvertible {
    public enum Operator: Character, Sendable, Hashable, Codable {
        case i = "I", x = "X", y = "Y", z = "Z"
    }

    /// Indexed by qubit.
    public private(set) var operators: [Operator]

    public init(operators: [Operator]) {
        self.operators = operators
    }

    public init(_ label: String) throws(QuantumError) {
        var ops: [Operator] = []
        for (position, ch) in label.enumerated() {
            guard let op = Operator(rawValue: Character(ch.uppercased())) else {
                throw QuantumError(.invalidObservable,
                                   "invalid Pauli string \"\(label)\": character '\(ch)' at position \(position + 1) is not one of I, X, Y, Z")
            }
            ops.append(op)
        }
        guard !ops.isEmpty else { throw QuantumError(.invalidObservable, "empty Pauli string") }
        operators = ops.reversed()
    }

    public var qubitCount: Int { operators.count }
    public var label: String { String(operators.reversed().map(\.rawValue)) }
    public var description: String { label }
    public var weight: Int { operators.filter { $0 != .i }.count }
    public var support: [Int] { operators.indices.filter { operators[$0] != .i } }

    public subscript(qubit: Int) -> Operator {
        get { qubit < operators.count ? operators[qubit] : .i }
        set {
            if qubit >= operators.count { operators += Array(repeating: .i, count: qubit - operators.count + 1) }
            operators[qubit] = newValue
        }
    }

    /// Same operator padded with identities (or checked to fit) on `qubits` qubits.
    public func resized(to qubits: Int) throws(QuantumError) -> PauliString {
        if operators.count > qubits {
            guard operators[qubits...].allSatisfy({ $0 == .i }) else {
                throw QuantumError(.invalidObservable,
                                   "observable \(label) acts on qubit \(operators.count - 1) but the circuit has \(qubits) qubits")
            }
            return PauliString(operators: Array(operators[..<qubits]))
        }
        return PauliString(operators: operators + Array(repeating: .i, count: qubits - operators.count))
    }

    /// Bits flipped by the operator (X or Y) and bits contributing a sign (Y or Z).
    var flipMask: Int {
        var mask = 0
        for (q, op) in operators.enumerated() where op == .x || op == .y { mask |= 1 << q }
        return mask
    }

    var signMask: Int {
        var mask = 0
        for (q, op) in operators.enumerated() where op == .z || op == .y { mask |= 1 << q }
        return mask
    }

    var yCount: Int { operators.filter { $0 == .y }.count }

    /// A random operator with exactly `weight` non-identity positions (clamped to `qubits`).
    public static func random(qubits: Int, weight: Int, seed: UInt64) -> PauliString {
        var rng = SeededGenerator(seed: seed)
        let n = max(1, qubits)
        var positions = Array(0..<n)
        for i in stride(from: n - 1, to: 0, by: -1) { positions.swapAt(i, rng.nextInt(below: i + 1)) }
        var ops = [Operator](repeating: .i, count: n)
        for q in positions.prefix(max(0, min(weight, n))) {
            ops[q] = [Operator.x, .y, .z][rng.nextInt(below: 3)]
        }
        return PauliString(operators: ops)
    }
}

extension PauliString: Codable {
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do {
            self = try PauliString(text)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.message))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(label)
    }
}
