/// The scheduler's live view of one agent: what is free right now, per NUMA domain.
struct AgentState: Sendable {
    let key: Int
    let pilot: String?
    let resources: NodeResources
    var deadline: Double?
    var draining = false

    /// Free cores per domain, as bit positions into `resources.domains[d].cores`.
    var domainFree: [BitSet]
    var domainFreeCount: [Int]
    var freeCores: Int
    /// Free GPUs as positions into `resources.gpus`.
    var gpuFree: BitSet
    var freeGPUs: Int
    var freeMemory: UInt64
    var customFree: [String: Int]
    /// Tasks holding resources here, with their expected end (nil: unknown) for reservations.
    var tasks: [Int64: Double?] = [:]

    init(key: Int, pilot: String?, resources: NodeResources, deadline: Double?) {
        self.key = key
        self.pilot = pilot
        self.resources = resources
        self.deadline = deadline
        domainFree = resources.domains.map { d in
            var b = BitSet(capacity: d.cores.count)
            for i in 0..<d.cores.count { b.insert(i) }
            return b
        }
        domainFreeCount = resources.domains.map(\.cores.count)
        freeCores = resources.coreCount
        gpuFree = BitSet(capacity: resources.gpus.count)
        for i in 0..<resources.gpus.count { gpuFree.insert(i) }
        freeGPUs = resources.gpus.count
        freeMemory = resources.memoryBytes
        customFree = resources.custom
    }

    var hasFree: Bool { !draining && (freeCores > 0 || freeGPUs > 0 || customFree.values.contains { $0 > 0 }) }

    /// Whether the task could run here once the node is empty, walltime included.
    func couldHold(_ r: ResourceRequest, time: Double?, now: Double) -> Bool {
        guard !draining, couldEverFit(r) else { return false }
        if let d = deadline, let t = time, now + t > d { return false }
        return true
    }

    /// Whether the per-node share of `r` could fit on this node if it were empty.
    func couldEverFit(_ r: ResourceRequest) -> Bool {
        guard resources.coreCount >= r.coresPerNode, resources.gpus.count >= r.gpusPerNode,
              resources.memoryBytes >= r.memoryBytes else { return false }
        for c in r.custom where (resources.custom[c.name] ?? 0) < c.amount { return false }
        return true
    }

    /// Count-level check; placement inside the node always succeeds when this holds.
    func fitsNow(_ r: ResourceRequest, time: Double?, now: Double) -> Bool {
        guard !draining, freeCores >= r.coresPerNode, freeGPUs >= r.gpusPerNode, freeMemory >= r.memoryBytes else { return false }
        for c in r.custom where (customFree[c.name] ?? 0) < c.amount { return false }
        if let d = deadline, let t = time, now + t > d { return false }
        return true
    }

    /// When the running work here is expected to be gone; infinity if any task has no time request.
    func expectedDrain(now: Double) -> Double {
        var m = now
        for (_, end) in tasks {
            guard let e = end else { return .infinity }
            m = max(m, e)
        }
        return m
    }

    func reaches(device: String) -> Bool { resources.qpuDevices.map { $0.contains(device) } ?? true }
}
