/// Where and how pilots are submitted on one cluster; read from `Profiles/*.yaml`.
public struct ClusterProfile: Sendable, Equatable {
    public var version: Int
    public var name: String
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
    /// Extra sbatch options, each `--name` or `--name=value`.
    public var sbatchExtra: [String]
    /// Shell lines run before the agents start (module loads, venv activation).
    public var setup: [String]
    public var qpuDevices: [QPUDeviceAccess]
    public var agent: AgentOptions
    /// The file this profile came from, for error messages.
    public var sourcePath: String

    public init(version: Int = 1, name: String, partition: String? = nil, account: String? = nil,
                qos: String? = nil, constraint: String? = nil, nodes: Int = 1, coresPerNode: Int? = nil,
                gpusPerNode: Int = 0, memoryPerNodeMiB: UInt64? = nil, walltime: SlurmDuration,
                exclusive: Bool = false, sbatchExtra: [String] = [], setup: [String] = [],
                qpuDevices: [QPUDeviceAccess] = [], agent: AgentOptions = AgentOptions(),
                sourcePath: String = "<memory>") {
        self.version = version
        self.name = name
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
        self.sbatchExtra = sbatchExtra
        self.setup = setup
        self.qpuDevices = qpuDevices
        self.agent = agent
        self.sourcePath = sourcePath
    }
}
