import Foundation

/// What `sbatch` would be told, as data. Only non-nil fields are sent, so
/// Slurm's own defaults (partition, account...) apply to the rest.
///
/// Submitting through libslurm does not read `#SBATCH` lines in `script`;
/// everything the controller must know is in these fields. Options the job
/// descriptor cannot carry are kept in `sbatchOnly`, and a request with any of
/// them is submitted by running `sbatch` (see `submissionPath`).
public struct BatchJobRequest: Sendable, Equatable {
    /// `--exclusive[=user|mcs]`.
    public enum Exclusivity: String, Sendable, Equatable {
        case node = ""
        case user
        case mcs
    }

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
    /// `--gpus-per-node=N`, sent as the `gres:gpu:N` TRES.
    public var gpusPerNode: Int?
    /// `--gres` entries as written (`gpu:a100:4`, `qpu:1`), sent per node with a `gres:` prefix.
    public var gres: [String]
    /// `--gpus` (per job, optionally typed).
    public var gpusPerJob: String?
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
    /// `--exclusive`; nil shares nodes as the partition allows.
    public var exclusive: Exclusivity?
    /// `--mem` in MiB per node.
    public var memoryPerNodeMiB: UInt64?
    /// `--mem-per-cpu` in MiB.
    public var memoryPerCPUMiB: UInt64?
    public var reservation: String?
    public var dependency: String?
    public var comment: String?
    /// `--licenses`, e.g. `matlab:2,fluent`.
    public var licenses: String?
    /// `--mail-type` as written (`END,FAIL`); `--mail-user`.
    public var mailType: String?
    public var mailUser: String?
    public var wckey: String?
    public var nice: Int32?
    /// `--exclude` and `--nodelist` host lists.
    public var excludeNodes: String?
    public var requiredNodes: String?
    /// `--hold`.
    public var hold: Bool
    /// `--requeue` / `--no-requeue`; nil keeps the cluster default.
    public var requeue: Bool?
    /// Options with no job-descriptor field (`--clusters`, site-specific ones, a
    /// SPANK plugin's `--qpu`): only `sbatch` can submit them.
    public var sbatchOnly: [SbatchOption]
    /// Another cluster with its own slurm.conf (the script's `#SWIFTPILOT cluster=` line).
    public var cluster: SlurmCluster?

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
        self.gres = []
        self.timeLimitMinutes = timeLimitMinutes
        self.workingDirectory = workingDirectory
        self.standardOutput = standardOutput
        self.standardError = standardError
        self.environment = environment
        self.signalBeforeEnd = signalBeforeEnd
        self.exclusive = exclusive ? .node : nil
        self.memoryPerNodeMiB = memoryPerNodeMiB
        self.reservation = reservation
        self.dependency = dependency
        self.comment = comment
        self.hold = false
        self.requeue = requeue
        self.sbatchOnly = []
    }

    /// Where this request goes: libslurm's job descriptor unless some option has no field there.
    public var submissionPath: SubmissionPath {
        if let cluster, cluster.slurmConf != nil { return .cluster(cluster) }
        return sbatchOnly.isEmpty ? .libslurm : .sbatch(options: sbatchOnly)
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
        if let mailType, SbatchOptionCatalog.mailType(mailType) == nil {
            throw bad("mail type '\(mailType)' is not a list of \(SbatchOptionCatalog.mailTypeBits.keys.sorted().joined(separator: ", "))")
        }
        guard workingDirectory.hasPrefix("/") else {
            throw bad("workingDirectory must be absolute, got '\(workingDirectory)'")
        }
    }
}
