/// One gate application with concrete parameter values (user gates are expanded at parse time).
public struct QuantumGate: Sendable, Codable, Hashable {
    public var kind: GateKind
    public var qubits: [Int]
    public var parameters: [Double]

    public init(_ kind: GateKind, _ qubits: [Int], _ parameters: [Double] = []) {
        self.kind = kind
        self.qubits = qubits
        self.parameters = parameters
    }
}
