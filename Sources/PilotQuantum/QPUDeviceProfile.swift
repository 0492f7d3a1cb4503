/// A (simulated or external) quantum device as described by a YAML profile in Profiles/qpu.
public struct QPUDeviceProfile: Sendable, Codable, Hashable {
    /// Seconds; multiplied by the executor's `latencyScale`.
    public struct Latency: Sendable, Codable, Hashable {
        public var queueWait: Double
        public var perCircuit: Double
        public var perShot: Double

        public init(queueWait: Double = 0, perCircuit: Double = 0, perShot: Double = 0) {
            self.queueWait = queueWait
            self.perCircuit = perCircuit
            self.perShot = perShot
        }
    }

    public enum Executor: Sendable, Codable, Hashable {
        case embedded
        /// External program; `{circuit}` (QASM file path), `{shots}`, `{seed}`, `{qubits}` and
        /// `{observables}` (comma-separated) are substituted in each argument.
        case command(argv: [String], timeoutSeconds: Double?)
    }

    public var version: Int
    public var name: String
    public var qubits: Int
    /// Undirected pairs; `SabreRouter` routes onto them (the executor itself does not route).
    public var couplingMap: [[Int]]?
    public var basisGates: [String]
    /// When true, circuits using gates outside `basisGates` are refused.
    public var enforceBasisGates: Bool
    public var maxConcurrentJobs: Int
    public var noise: NoiseModel
    public var latency: Latency
    public var executor: Executor

    public init(version: Int = 1, name: String, qubits: Int, couplingMap: [[Int]]? = nil, basisGates: [String] = [],
                enforceBasisGates: Bool = false, maxConcurrentJobs: Int = 1, noise: NoiseModel = .ideal,
                latency: Latency = Latency(), executor: Executor = .embedded) {
        self.version = version
        self.name = name
        self.qubits = qubits
        self.couplingMap = couplingMap
        self.basisGates = basisGates
        self.enforceBasisGates = enforceBasisGates
        self.maxConcurrentJobs = maxConcurrentJobs
        self.noise = noise
        self.latency = latency
        self.executor = executor
    }
}
