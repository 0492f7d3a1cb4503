import Foundation

/// What `sbatch` would be told, as data. Only non-nil fields are sent, so
/// Slurm's own defaults (partition, account...) apply to the rest.
///
/// Note: submitting through libslurm does not read `#SBATCH` lines in
/// `script`; everything the controller must know has to be in these fields.
public struct BatchJobRequest: Sendable, Equatable {
    /// The batch script; must start with `#!`.
    public var script: String
    public var name: String
    public var partition: String?
    public var account: String?
    public var qos: String?
    /// `--constraint` (node features).
    public var constraint: String?
    public var nodes: Int
    public var ntasksPerNode: Int?
    public var cpusPerTask: Int?
    /// `--gpus-per-node`, sent as the `gres:gpu:N` TRES.
    public var gpusPerNode: Int?
    public var timeLimitMinutes: UInt32?
    public var workingDirectory: String
    public var standardOutput: String?
    public var standardError: String?
    /// The job's complete environment, like `sbatch --export=NONE` plus these
    /// variables. Defaults to the submitting process's environment (sbatch's
    /// `--export=ALL`). Slurm rejects an empty one (errno 2019), so `submit`
    /// adds a PATH if this is empty.
    public var environment: [String: String]
    /// `--signal`: deliver a signal this many seconds before the time limit.
    public var signalBeforeEnd: SignalBeforeEnd?
    /// `--exclusive`.
    public var exclusive: Bool
    /// `--mem` in MiB per node.
    public var memoryPerNodeMiB: UInt64?
    public var reservation: String?
    public var dependency: String?
    public var comment: String?
    /// `--requeue` / `--no-requeue`; nil keeps the cluster default.
    public var requeue: Bool?

    public init(script: String, name: String, partition: String? = nil, account: String? = nil,
                qos: String? = nil, constraint: String? = nil, nodes: Int = 1, ntasksPerNode: Int? = nil,
                cpusPerTask: Int? = nil, gpusPerNode: Int? = nil, timeLimitMinutes: UInt32? = nil,
                workingDirectory: String = FileManager.default.currentDirectoryPath,
                standardOutput: String? = nil, standardError: String? = nil,
                environment: [String: String] = ProcessInfo.processInfo.environment,
                signalBeforeEnd: SignalBeforeEnd? = nil, exclusive: Bool = false,
                memoryPerNodeMiB: UInt64? = nil, reservation: String? = nil, dependency: String? = nil,
                comment: String? = nil, requeue: Bool? = nil) {
        self.script = script
        self.name = name
        self.partition = partition
        self.account = account
        self.qos = qos
        self.constraint = constraint
        self.nodes = nodes
        self.ntasksPerNode = ntasksPerNode
        self.cpusPerTask = cpusPerTask
        self.gpusPerNode = gpusPerNode
        self.timeLimitMinutes = timeLimitMinutes
        self.workingDirectory = workingDirectory
        self.standardOutput = standardOutput
        self.standardError = standardError
        self.environment = environment
        self.signalBeforeEnd = signalBeforeEnd
        self.exclusive = exclusive
        self.memoryPerNodeMiB = memoryPerNodeMiB
        self.reservation = reservation
        self.dependency = dependency
        self.comment = comment
        self.requeue = requeue
    }

    /// Checks what Slurm would otherwise reject with a less helpful message.
    public func validate() throws(SlurmError) {
        func bad(_ reason: String) -> SlurmError { SlurmError(.invalidRequest, "job '\(name)': \(reason)") }
        guard script.hasPrefix("#!") else { throw bad("script must start with '#!'") }
        guard nodes >= 1 else { throw bad("nodes must be >= 1, got \(nodes)") }
        if let ntasksPerNode, ntasksPerNode < 1 { throw bad("ntasksPerNode must be >= 1, got \(ntasksPerNode)") }
        if let cpusPerTask, !(1...Int(UInt16.max - 2)).contains(cpusPerTask) {
            throw bad("cpusPerTask must be in 1...\(UInt16.max - 2), got \(cpusPerTask)")
        }
        if let gpusPerNode, gpusPerNode < 0 { throw bad("gpusPerNode must be >= 0, got \(gpusPerNode)") }
        if let timeLimitMinutes, timeLimitMinutes == 0 { throw bad("timeLimitMinutes must be > 0") }
        if let signal = signalBeforeEnd {
            guard (1...64).contains(signal.signal) else { throw bad("signal \(signal.signal) is not a signal number") }
        }
        guard workingDirectory.hasPrefix("/") else {
            throw bad("workingDirectory must be absolute, got '\(workingDirectory)'")
        }
    }
}
