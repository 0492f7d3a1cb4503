/// A NUMA node and the usable cores closest to it.
public struct NUMADomain: Sendable, Codable, Equatable {
    /// hwloc's logical index (0-based, `L#` in lstopo); stays stable when cores are filtered out.
    public var id: Int
    /// The kernel's node number (`P#`), what numactl and `/sys/devices/system/node` use.
    public var osIndex: Int
    public var memoryBytes: UInt64
    public var cores: [CPUCore]

    public init(id: Int, osIndex: Int, memoryBytes: UInt64, cores: [CPUCore]) {
        self.id = id
        self.osIndex = osIndex
        self.memoryBytes = memoryBytes
        self.cores = cores
    }
}
