/// What an agent offers: its node's cores grouped by NUMA domain, GPUs with their NUMA locality,
/// memory, user-defined kinds and which QPU-proxy devices it can reach.
public struct NodeResources: Sendable, Codable, Hashable {
    public struct Domain: Sendable, Codable, Hashable {
        public var id: Int
        /// Core ids (node-wide) in this domain, and each core's PUs (OS indices, for pinning).
        public var cores: [Core]
        public var memoryBytes: UInt64
        public init(id: Int, cores: [Core], memoryBytes: UInt64 = 0) {
            self.id = id; self.cores = cores; self.memoryBytes = memoryBytes
        }
    }
    public struct Core: Sendable, Codable, Hashable {
        public var id: Int
        public var pus: [Int]
        public init(id: Int, pus: [Int]) { self.id = id; self.pus = pus }
    }
    public struct GPU: Sendable, Codable, Hashable {
        public var index: Int
        public var domain: Int?
        public var name: String
        public init(index: Int, domain: Int?, name: String = "gpu") { self.index = index; self.domain = domain; self.name = name }
    }

    public var hostname: String
    public var domains: [Domain]
    public var gpus: [GPU]
    public var memoryBytes: UInt64
    public var custom: [String: Int]
    /// nil: every configured device is reachable (embedded mode); otherwise the names the profile grants.
    public var qpuDevices: [String]?

    public init(hostname: String, domains: [Domain], gpus: [GPU] = [], memoryBytes: UInt64 = 0,
                custom: [String: Int] = [:], qpuDevices: [String]? = nil) {
        self.hostname = hostname
        self.domains = domains
        self.gpus = gpus
        self.memoryBytes = memoryBytes
        self.custom = custom
        self.qpuDevices = qpuDevices
    }

    public var coreCount: Int { domains.reduce(0) { $0 + $1.cores.count } }

    /// A simple node for tests and simulations: `domains × coresPerDomain` cores, one PU each.
    public static func uniform(hostname: String, domains: Int, coresPerDomain: Int, gpusPerDomain: Int = 0,
                               memoryBytes: UInt64 = 0) -> NodeResources {
        var ds: [Domain] = []
        var gpus: [GPU] = []
        for d in 0..<domains {
            let cores = (0..<coresPerDomain).map { c in Core(id: d * coresPerDomain + c, pus: [d * coresPerDomain + c]) }
            ds.append(Domain(id: d, cores: cores, memoryBytes: memoryBytes / UInt64(max(domains, 1))))
            for g in 0..<gpusPerDomain { gpus.append(GPU(index: d * gpusPerDomain + g, domain: d)) }
        }
        return NodeResources(hostname: hostname, domains: ds, gpus: gpus, memoryBytes: memoryBytes)
    }

    public func validate() throws(CoreError) {
        guard !domains.isEmpty, domains.count <= 1024 else {
            throw CoreError(.invalidRequest, "a node needs 1...1024 NUMA domains", field: "resources.domains")
        }
        var seen = Set<Int>()
        for d in domains {
            for c in d.cores {
                guard seen.insert(c.id).inserted, c.id >= 0, c.id < 1 << 20 else {
                    throw CoreError(.invalidRequest, "core id \(c.id) duplicated or out of range", field: "resources.domains.cores")
                }
            }
        }
        guard gpus.count <= 1024, Set(gpus.map(\.index)).count == gpus.count else {
            throw CoreError(.invalidRequest, "GPU indices must be unique", field: "resources.gpus")
        }
    }
}

/// A shared QPU-proxy device as the scheduler sees it: a name, its width and how many jobs may run at once.
public struct QPUDeviceInfo: Sendable, Codable, Hashable {
    public var name: String
    public var qubits: Int
    public var slots: Int
    public init(name: String, qubits: Int, slots: Int) { self.name = name; self.qubits = qubits; self.slots = slots }
}
