/// A quantum task payload as the agent receives it. `observables` use Qiskit order (rightmost
/// character = qubit 0) and may be narrower than the circuit (missing high qubits are identity).
public struct QuantumJob: Sendable, Codable, Hashable {
    public var circuit: String
    public var shots: Int
    public var seed: UInt64?
    public var observables: [String]
    public var device: String

    public init(circuit: String, shots: Int = 1024, seed: UInt64? = nil, observables: [String] = [],
                device: String = "ideal-sim") {
        self.circuit = circuit
        self.shots = shots
        self.seed = seed
        self.observables = observables
        self.device = device
    }

    private enum CodingKeys: String, CodingKey { case circuit, shots, seed, observables, device }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        circuit = try c.decode(String.self, forKey: .circuit)
        shots = try c.decode(Int.self, forKey: .shots)
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed)
        observables = try c.decodeIfPresent([String].self, forKey: .observables) ?? []
        device = try c.decode(String.self, forKey: .device)
    }
}
