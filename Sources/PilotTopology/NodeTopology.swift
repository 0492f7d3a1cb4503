/// What a pilot agent can use on its node, after cpuset and GPU filtering.
public struct NodeTopology: Sendable, Codable, Equatable {
    public var hostname: String
    /// `"native"`, `"synthetic:<description>"` or `"xml:<path>"`.
    public var source: String
    public var packages: Int
    public var numaDomains: [NUMADomain]
    public var gpus: [GPUDevice]
    public var totalMemoryBytes: UInt64

    public var cores: Int { numaDomains.reduce(0) { $0 + $1.cores.count } }
    public var pus: Int { numaDomains.reduce(0) { $0 + $1.cores.reduce(0) { $0 + $1.puOSIndices.count } } }

    /// Every usable PU, in core order; what a scheduler hands out.
    public var puOSIndices: [Int] { numaDomains.flatMap { $0.cores.flatMap(\.puOSIndices) } }

    public init(hostname: String, source: String, packages: Int, numaDomains: [NUMADomain],
                gpus: [GPUDevice], totalMemoryBytes: UInt64) {
        self.hostname = hostname
        self.source = source
        self.packages = packages
        self.numaDomains = numaDomains
        self.gpus = gpus
        self.totalMemoryBytes = totalMemoryBytes
    }
}
