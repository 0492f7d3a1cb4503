/// Parameters of the circuit-execution ensemble: `circuits` random circuits of `qubits` × `depth`
/// (`RandomCircuit`), each measured in full for counts and estimating `observables` random Pauli
/// observables of weight `observableWeight`, with `shots` shots, on `device` (or `cpu`).
public struct CircuitExecutionConfiguration: Sendable, Hashable, Codable {
    public var qubits = 8
    public var depth = 8
    public var circuits = 16
    public var observables = 2
    public var observableWeight = 2
    public var shots = 1024
    public var device = "ideal-sim"
    public var seed: UInt64 = 1
    /// Also compute each observable exactly (state vector) to check the estimates; off for wide circuits.
    public var verify = true

    public init() {}

    func validate() throws(MiniAppError) {
        guard (1...30).contains(qubits) else { throw MiniAppError(.invalidParameter, "must be 1...30, got \(qubits)", field: "qubits") }
        guard (0...10_000).contains(depth) else { throw MiniAppError(.invalidParameter, "must be 0...10000", field: "depth") }
        guard (1...1_000_000).contains(circuits) else {
            throw MiniAppError(.invalidParameter, "must be 1...1000000, got \(circuits)", field: "circuits")
        }
        guard (0...100).contains(observables) else { throw MiniAppError(.invalidParameter, "must be 0...100", field: "observables") }
        guard (1...qubits).contains(observableWeight) || observables == 0 else {
            throw MiniAppError(.invalidParameter, "must be 1...qubits, got \(observableWeight)", field: "observable_weight")
        }
        guard (0...10_000_000).contains(shots) else { throw MiniAppError(.invalidParameter, "must be 0...10000000", field: "shots") }
    }
}
