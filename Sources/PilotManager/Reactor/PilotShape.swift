import PilotCore
import PilotSlurm

/// Where a profile's pilots go and what each of their nodes holds, as the profile asks Slurm for
/// it. The shell reads it from the profile; the reactor routes waiting tasks by it, so a GPU task
/// makes only a queue whose nodes have GPUs submit, while a CPU task may go to either.
public struct PilotShape: Sendable, Codable, Hashable {
    /// nil: the manager's own cluster.
    public var cluster: SlurmCluster?
    public var nodes: Int
    /// nil: whatever Slurm gives the node, not known before the agent registers.
    public var coresPerNode: Int?
    public var gpusPerNode: Int
    public var memoryPerNodeMiB: UInt64?

    public init(cluster: SlurmCluster? = nil, nodes: Int = 1, coresPerNode: Int? = nil, gpusPerNode: Int = 0,
                memoryPerNodeMiB: UInt64? = nil) {
        self.cluster = cluster; self.nodes = nodes; self.coresPerNode = coresPerNode
        self.gpusPerNode = gpusPerNode; self.memoryPerNodeMiB = memoryPerNodeMiB
    }

    /// Whether a pilot of this shape could ever run a task asking `r`. Unknown amounts (cores
    /// Slurm decides, custom resources, QPU slots granted by device profiles) do not rule it out.
    public func canHold(_ r: ResourceRequest) -> Bool {
        if r.nodes > nodes { return false }
        if r.gpusPerNode > gpusPerNode { return false }
        if let c = coresPerNode, r.coresPerNode > c { return false }
        if let m = memoryPerNodeMiB, r.memoryBytes > m << 20 { return false }
        return true
    }
}
