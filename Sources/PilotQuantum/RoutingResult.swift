/// A circuit placed and routed onto a device by `SabreRouter`.
public struct RoutingResult: Sendable, Hashable {
    /// On the device's physical qubits (width = device qubits), SWAPs included; lowered to the
    /// basis when the device enforces it.
    public var circuit: QuantumCircuit
    /// Physical qubit of each logical qubit at the start.
    public var initialLayout: [Int]
    /// Physical qubit holding each logical qubit's state at the end: the permutation the SWAPs
    /// leave behind.
    public var finalLayout: [Int]
    public var swapCount: Int
    /// The physical qubits the routed circuit may touch (the placement region).
    public var region: [Int]
}
