/// A physical core and its usable hardware threads.
public struct CPUCore: Sendable, Codable, Equatable {
    /// hwloc's node-wide logical core index; stable when other cores are filtered out.
    public var id: Int
    /// Logical index of the package holding this core.
    public var package: Int
    /// OS PU numbers, as `sched_setaffinity` and `Cpus_allowed_list` use them.
    public var puOSIndices: [Int]

    public init(id: Int, package: Int, puOSIndices: [Int]) {
        self.id = id
        self.package = package
        self.puOSIndices = puOSIndices
    }
}
