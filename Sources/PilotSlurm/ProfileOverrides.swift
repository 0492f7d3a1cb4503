/// Command-line values that replace a profile's, spelled as `sbatch` spells them.
public struct ProfileOverrides: Sendable, Equatable {
    public var nodes: Int?
    public var walltime: SlurmDuration?
    public var partition: String?
    public var account: String?
    public var qos: String?
    public var constraint: String?
    public var gpusPerNode: Int?

    public init(nodes: Int? = nil, walltime: SlurmDuration? = nil, partition: String? = nil,
                account: String? = nil, qos: String? = nil, constraint: String? = nil, gpusPerNode: Int? = nil) {
        self.nodes = nodes
        self.walltime = walltime
        self.partition = partition
        self.account = account
        self.qos = qos
        self.constraint = constraint
        self.gpusPerNode = gpusPerNode
    }

    public var isEmpty: Bool { self == ProfileOverrides() }
}
