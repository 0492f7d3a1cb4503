import PilotQuantum

/// Per-circuit outcome and ensemble totals of `pilot miniapp circuit-execution`.
public struct CircuitExecutionReport: Sendable, Hashable, Codable {
    public struct Circuit: Sendable, Hashable, Codable {
        public var index: Int
        public var gates: Int
        public var distinctOutcomes: Int
        public var expectations: [ExpectationValue]
        /// Exact values of the same observables, when verified.
        public var exact: [Double]?
        /// Largest |estimate − exact| / standard error over the observables (nil when exact or unverified).
        public var maxZScore: Double?
        public var executionSeconds: Double
        public var totalSeconds: Double
    }

    public var qubits: Int
    public var depth: Int
    public var shots: Int
    public var device: String
    public var circuits: [Circuit]
    public var wallSeconds: Double
    public var circuitsPerSecond: Double
    public var meanExecutionSeconds: Double
    public var maxAbsError: Double?

    public func json(pretty: Bool = false) -> String { MiniAppJSON.encode(self, pretty: pretty) }
}
