/// The scheduler's decision for one task: which agent(s), which cores, GPUs and device slots.
public struct Binding: Sendable, Codable, Hashable {
    public var task: Int64
    public var placements: [NodePlacement]
    public var qpu: QPULease?

    public init(task: Int64, placements: [NodePlacement], qpu: QPULease? = nil) {
        self.task = task
        self.placements = placements
        self.qpu = qpu
    }

    public var agents: [Int] { placements.map(\.agent) }
}

/// What one task holds on one node. For gang tasks there is one per node.
public struct NodePlacement: Sendable, Codable, Hashable {
    public var agent: Int
    /// Per rank: node-wide core ids, and the PUs of those cores in the same order as `ranks`.
    public var ranks: [RankSlots]
    public var memoryBytes: UInt64
    public var custom: [ResourceRequest.CustomAmount]

    public struct RankSlots: Sendable, Codable, Hashable {
        public var cores: [Int]
        public var pus: [Int]
        public var gpus: [Int]
        public var domains: [Int]
        public init(cores: [Int], pus: [Int], gpus: [Int], domains: [Int]) {
            self.cores = cores; self.pus = pus; self.gpus = gpus; self.domains = domains
        }
    }

    public init(agent: Int, ranks: [RankSlots], memoryBytes: UInt64 = 0, custom: [ResourceRequest.CustomAmount] = []) {
        self.agent = agent
        self.ranks = ranks
        self.memoryBytes = memoryBytes
        self.custom = custom
    }

    // One rank is the common case: its arrays as they are, without a new array per question.
    public var cores: [Int] { ranks.count == 1 ? ranks[0].cores : ranks.flatMap(\.cores) }
    public var pus: [Int] { ranks.count == 1 ? ranks[0].pus : ranks.flatMap(\.pus) }
    public var gpus: [Int] { ranks.count == 1 ? ranks[0].gpus : ranks.flatMap(\.gpus) }
}

/// A lease on slots of a shared QPU-proxy device, held for the life of one task.
public struct QPULease: Sendable, Codable, Hashable {
    public var device: String
    public var slots: [Int]
    public init(device: String, slots: [Int]) { self.device = device; self.slots = slots }
}
