/// The result of one PUB. Arrays are flat in C order over `shape` (the bindings' shape for the
/// sampler, the broadcast of bindings and observables for the estimator).
public struct PUBResult: Sendable, Codable, Hashable {
    public var shape: [Int]
    /// Sampler: shots per binding. Estimator: the most shots any Pauli term was measured with
    /// (0 when exact).
    public var shots: Int
    /// Sampler: the classical registers in declaration order.
    public var registers: [QuantumCircuit.Register]?
    /// Sampler: per binding, counts per register (bit 0 of the register rightmost).
    public var counts: [[String: [String: Int]]]?
    /// Sampler with more than one register: per binding, counts of whole shots keyed as Qiskit's
    /// `get_counts` does (registers last-declared first, separated by spaces), so the registers'
    /// bits stay aligned shot by shot.
    public var jointCounts: [[String: Int]]?
    /// Estimator: expectation values and their standard deviations (0 when exact).
    public var evs: [Double]?
    public var stds: [Double]?
    /// Estimator: the precision asked for, when one was.
    public var precision: Double?

    public init(shape: [Int], shots: Int) {
        self.shape = shape
        self.shots = shots
    }
}
