/// Stochastic Pauli noise simulated by quantum trajectories.
///
/// Depolarizing convention: with probability p a uniformly random non-identity Pauli is applied
/// (X, Y, Z for one qubit; one of the 15 two-qubit Paulis for two). For |0⟩ this gives
/// ⟨Z⟩ = 1 − 4p/3. One-qubit gates get `depolarizing1q` on their qubit, two-qubit gates
/// `depolarizing2q` on their pair, three-qubit gates `depolarizing2q` independently on each
/// qubit as a one-qubit channel. `readout` flips each measured bit independently.
public struct NoiseModel: Sendable, Codable, Hashable {
    public var depolarizing1q: Double
    public var depolarizing2q: Double
    public var readout: Double
    /// Upper bound on distinct trajectories per circuit; shots are split evenly among them.
    public var trajectories: Int

    public init(depolarizing1q: Double = 0, depolarizing2q: Double = 0, readout: Double = 0, trajectories: Int = 100) {
        self.depolarizing1q = depolarizing1q
        self.depolarizing2q = depolarizing2q
        self.readout = readout
        self.trajectories = max(1, trajectories)
    }

    public static let ideal = NoiseModel()

    public var hasGateNoise: Bool { depolarizing1q > 0 || depolarizing2q > 0 }
    public var isIdeal: Bool { !hasGateNoise && readout == 0 }

    public func validate() throws(QuantumError) {
        for (name, p) in [("depolarizing_1q", depolarizing1q), ("depolarizing_2q", depolarizing2q), ("readout", readout)]
        where !(p >= 0 && p <= 1) {
            throw QuantumError(.invalidArgument, "noise probability \(name) must be in [0, 1], got \(p)")
        }
    }
}
