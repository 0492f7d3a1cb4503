/// What one task needs. A single-node task is `nodes = 1, ranksPerNode = 1`; a gang (MPI) task asks
/// for `nodes × ranksPerNode` ranks of `coresPerRank` cores and `gpusPerRank` GPUs each, all on one pilot.
public struct ResourceRequest: Sendable, Codable, Hashable {
    public var nodes: Int = 1
    public var ranksPerNode: Int = 1
    public var coresPerRank: Int = 1
    public var gpusPerRank: Int = 0
    /// Per node.
    public var memoryBytes: UInt64 = 0
    /// User-defined per-node resource kinds (`license=4`), sorted so equal requests hash equally.
    public var custom: [CustomAmount] = []
    public var qpu: QPUSelector?
    /// Only agents of this pilot may hold the task (the pilot id agents report, `--pilot-id`). Part
    /// of the request, not of the spec around it, so tasks pinned to different pilots never share a
    /// request class: the head of a class that cannot fit then still stands for the whole class.
    public var pilot: String?

    public struct CustomAmount: Sendable, Codable, Hashable {
        public var name: String
        public var amount: Int
        public init(name: String, amount: Int) { self.name = name; self.amount = amount }
    }

    public init(cores: Int = 1, gpus: Int = 0, memoryBytes: UInt64 = 0, nodes: Int = 1, ranksPerNode: Int = 1,
                custom: [String: Int] = [:], qpu: QPUSelector? = nil, pilot: String? = nil) {
        self.nodes = nodes
        self.ranksPerNode = ranksPerNode
        self.coresPerRank = cores
        self.gpusPerRank = gpus
        self.memoryBytes = memoryBytes
        self.custom = custom.sorted { $0.key < $1.key }.map { CustomAmount(name: $0.key, amount: $0.value) }
        self.qpu = qpu
        self.pilot = pilot
    }

    public var coresPerNode: Int { ranksPerNode * coresPerRank }
    public var gpusPerNode: Int { ranksPerNode * gpusPerRank }
    public var isGang: Bool { nodes > 1 }

    /// Reject requests that no configuration could ever satisfy or that would overflow counters.
    public func validate() throws(CoreError) {
        func check(_ v: Int, _ name: String, min: Int, max: Int) throws(CoreError) {
            guard v >= min, v <= max else {
                throw CoreError(.invalidRequest, "must be between \(min) and \(max), got \(v)", field: name)
            }
        }
        try check(nodes, "nodes", min: 1, max: 100_000)
        try check(ranksPerNode, "ranks_per_node", min: 1, max: 4096)
        try check(coresPerRank, "cores", min: 0, max: 65_536)
        try check(gpusPerRank, "gpus", min: 0, max: 1024)
        guard coresPerNode + gpusPerNode > 0 || qpu != nil || !custom.isEmpty else {
            throw CoreError(.invalidRequest, "a task must ask for at least one core, GPU, QPU slot or custom resource", field: "cores")
        }
        for c in custom {
            guard !c.name.isEmpty, c.name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) else {
                throw CoreError(.invalidRequest, "resource name '\(c.name)' must be letters, digits, '_' or '-'", field: "custom")
            }
            guard c.amount > 0, c.amount <= 1_000_000 else {
                throw CoreError(.invalidRequest, "amount of '\(c.name)' must be between 1 and 1000000", field: "custom.\(c.name)")
            }
            guard !["cores", "gpus", "qpu", "memory", "mem", "nodes"].contains(c.name) else {
                throw CoreError(.invalidRequest, "'\(c.name)' is a built-in kind; use its own option", field: "custom")
            }
        }
        if let p = pilot {
            guard !p.isEmpty, p.utf8.count <= ResourceRequest.maxPilotNameBytes,
                  p.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7F }) else {
                throw CoreError(.invalidRequest, "a pilot name is 1 to \(ResourceRequest.maxPilotNameBytes) bytes with no spaces or control characters", field: "pilot")
            }
        }
        if let q = qpu {
            guard q.count >= 1, q.count <= 64 else { throw CoreError(.invalidRequest, "QPU slot count must be 1...64", field: "qpu") }
        }
    }

    /// Pilot ids are short (`p-12`, a Slurm job name); the cap keeps a request class key small.
    public static let maxPilotNameBytes = 200

    /// Parses `NAME=N` for user-defined kinds.
    public static func parseCustom(_ items: [String]) throws(CoreError) -> [String: Int] {
        var out: [String: Int] = [:]
        for item in items {
            let kv = item.split(separator: "=", maxSplits: 1)
            guard kv.count == 2, let n = Int(kv[1]) else {
                throw CoreError(.invalidRequest, "'\(item)': expected NAME=N", field: "custom")
            }
            out[String(kv[0]), default: 0] += n
        }
        return out
    }
}
