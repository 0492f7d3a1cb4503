/// Where and how pilots are submitted on one cluster; read from `Profiles/*.yaml`.
public struct ClusterProfile: Sendable, Equatable {
    public var version: Int
    public var name: String
    /// The cluster its pilots go to, when not the manager's own (`cluster:`).
    public var cluster: SlurmCluster?
    public var partition: String?
    public var account: String?
    public var qos: String?
    /// Node feature expression (`--constraint`).
    public var constraint: String?
    public var nodes: Int
    /// Cores the agent's srun step claims per node (`--cpus-per-task`); nil lets Slurm decide.
    public var coresPerNode: Int?
    public var gpusPerNode: Int
    public var memoryPerNodeMiB: UInt64?
    public var walltime: SlurmDuration
    /// `--exclusive`: a pilot owns its nodes.
    public var exclusive: Bool
    /// Further sbatch options from the `sbatch:` map (and the older `sbatch_extra:`
    /// list), in file order; any option sbatch takes, bar the ones a pilot sets itself.
    public var sbatch: [SbatchOption]
    /// Shell lines run before the agents start (module loads, venv activation).
    public var setup: [String]
    public var qpuDevices: [QPUDeviceAccess]
    public var agent: AgentOptions
    /// The file this profile came from, for error messages.
    public var sourcePath: String

    public init(version: Int = 1, name: String, cluster: SlurmCluster? = nil, partition: String? = nil, account: String? = nil,
                qos: String? = nil, constraint: String? = nil, nodes: Int = 1, coresPerNode: Int? = nil,
                gpusPerNode: Int = 0, memoryPerNodeMiB: UInt64? = nil, walltime: SlurmDuration,
                exclusive: Bool = false, sbatch: [SbatchOption] = [], setup: [String] = [],
                qpuDevices: [QPUDeviceAccess] = [], agent: AgentOptions = AgentOptions(),
                sourcePath: String = "<memory>") {
        self.version = version
        self.name = name
        self.cluster = cluster
        self.partition = partition
        self.account = account
        self.qos = qos
        self.constraint = constraint
        self.nodes = nodes
        self.coresPerNode = coresPerNode
        self.gpusPerNode = gpusPerNode
        self.memoryPerNodeMiB = memoryPerNodeMiB
        self.walltime = walltime
        self.exclusive = exclusive
        self.sbatch = sbatch
        self.setup = setup
        self.qpuDevices = qpuDevices
        self.agent = agent
        self.sourcePath = sourcePath
    }
}
