/// Parameters of the circuit-cutting mini-app: a random circuit (or QASM text), the widest
/// fragment allowed, the observable (default Z on every qubit), shots per sub-experiment and device.
public struct CuttingConfiguration: Sendable, Hashable, Codable {
    public var qubits = 6
    public var depth = 2
    public var seed: UInt64 = 1
    /// OpenQASM 2 source used instead of the random circuit.
    public var circuitQASM: String?
    public var maxFragmentQubits = 4
    public var observable: String?
    public var shots = 4000
    public var device = "ideal-sim"

    public init() {}
}
