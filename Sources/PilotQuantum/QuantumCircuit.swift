/// A flat circuit: qubits and clbits are numbered globally in register declaration order
/// (Qiskit's convention), and registers are kept only so QASM output can reproduce them.
public struct QuantumCircuit: Sendable, Codable, Hashable {
    public struct Register: Sendable, Codable, Hashable {
        public var name: String
        public var size: Int
        public init(name: String, size: Int) {
            self.name = name
            self.size = size
        }
    }

    public private(set) var qubitCount: Int
    public private(set) var clbitCount: Int
    public var operations: [QuantumOperation]
    public private(set) var quantumRegisters: [Register]
    public private(set) var classicalRegisters: [Register]
    /// Radians; the state is multiplied by e^{i·globalPhase}. Only OpenQASM 3 `gphase` sets it.
    /// It changes statevectors, never probabilities or expectation values.
    public var globalPhase: Double = 0

    public init(qubits: Int, clbits: Int = 0) {
        qubitCount = max(0, qubits)
        clbitCount = max(0, clbits)
        operations = []
        quantumRegisters = qubitCount > 0 ? [Register(name: "q", size: qubitCount)] : []
        classicalRegisters = clbitCount > 0 ? [Register(name: "c", size: clbitCount)] : []
    }

    public init(quantumRegisters: [Register], classicalRegisters: [Register], operations: [QuantumOperation] = [],
                globalPhase: Double = 0) {
        self.quantumRegisters = quantumRegisters
        self.classicalRegisters = classicalRegisters
        qubitCount = quantumRegisters.reduce(0) { $0 + $1.size }
        clbitCount = classicalRegisters.reduce(0) { $0 + $1.size }
        self.operations = operations
        self.globalPhase = globalPhase
    }

    private enum CodingKeys: String, CodingKey {
        case qubitCount, clbitCount, operations, quantumRegisters, classicalRegisters, globalPhase
    }

    // Written by hand so circuits stored before `globalPhase` existed still decode, and a zero phase
    // is not written at all.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        qubitCount = try c.decode(Int.self, forKey: .qubitCount)
        clbitCount = try c.decode(Int.self, forKey: .clbitCount)
        operations = try c.decode([QuantumOperation].self, forKey: .operations)
        quantumRegisters = try c.decode([Register].self, forKey: .quantumRegisters)
        classicalRegisters = try c.decode([Register].self, forKey: .classicalRegisters)
        globalPhase = try c.decodeIfPresent(Double.self, forKey: .globalPhase) ?? 0
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(qubitCount, forKey: .qubitCount)
        try c.encode(clbitCount, forKey: .clbitCount)
        try c.encode(operations, forKey: .operations)
        try c.encode(quantumRegisters, forKey: .quantumRegisters)
        try c.encode(classicalRegisters, forKey: .classicalRegisters)
        if globalPhase != 0 { try c.encode(globalPhase, forKey: .globalPhase) }
    }

    public var gateCount: Int {
        operations.reduce(0) { count, op in
            if case .gate = op { return count + 1 }
            return count
        }
    }

    public mutating func append(_ kind: GateKind, _ qubits: [Int], _ parameters: [Double] = []) {
        operations.append(.gate(QuantumGate(kind, qubits, parameters)))
    }

    public mutating func measure(_ qubit: Int, _ clbit: Int) {
        operations.append(.measure(qubit: qubit, clbit: clbit))
    }

    /// Adds a classical register large enough to hold one bit per qubit and measures every qubit
    /// into it, like Qiskit's `measure_all` (without the barrier).
    public mutating func measureAll() {
        let first = clbitCount
        classicalRegisters.append(Register(name: classicalRegisters.isEmpty ? "c" : "meas", size: qubitCount))
        clbitCount += qubitCount
        for q in 0..<qubitCount { operations.append(.measure(qubit: q, clbit: first + q)) }
    }

    /// Circuit without any measurement, reset or barrier: what a statevector of the unitary part needs.
    public var unitaryPart: QuantumCircuit {
        var copy = self
        copy.operations = operations.filter { if case .gate = $0 { return true } else { return false } }
        return copy
    }

    /// Checks every index and parameter count; circuits built in code (not parsed) go through this
    /// before simulation so a bad index becomes an error instead of a memory fault.
    public func validate() throws(QuantumError) {
        for (index, op) in operations.enumerated() {
            for q in op.qubits where q < 0 || q >= qubitCount {
                throw QuantumError(.invalidCircuit, "operation \(index) uses qubit \(q) but the circuit has \(qubitCount) qubits")
            }
            switch op {
            case .gate(let g):
                guard g.qubits.count == g.kind.qubitCount, g.parameters.count == g.kind.parameterCount else {
                    throw QuantumError(.invalidCircuit, "operation \(index): gate '\(g.kind.rawValue)' needs \(g.kind.qubitCount) qubits and \(g.kind.parameterCount) parameters")
                }
                guard Set(g.qubits).count == g.qubits.count else {
                    throw QuantumError(.invalidCircuit, "operation \(index): gate '\(g.kind.rawValue)' uses a qubit twice")
                }
                guard g.parameters.allSatisfy(\.isFinite) else {
                    throw QuantumError(.invalidCircuit, "operation \(index): gate '\(g.kind.rawValue)' has a non-finite parameter")
                }
            case .measure(_, let c):
                guard c >= 0, c < clbitCount else {
                    throw QuantumError(.invalidCircuit, "operation \(index) writes clbit \(c) but the circuit has \(clbitCount) clbits")
                }
            case .reset, .barrier:
                break
            }
        }
    }
}
