/// The scheduler's live view of one agent: what is free right now, per NUMA domain.
///
/// With prefetch (`depth` > 1) a core can hold up to `depth` tasks: one running and the rest queued
/// at the agent behind it. `occupancy[d][pos]` counts them, and level `l` is the set of cores held
/// by exactly `l` tasks. Level 0 (`domainFree`, `freeCores`) is the set of truly idle cores, which is
/// all that GPUs, memory, custom resources, gangs and QPU tasks ever use.
struct AgentState: Sendable {
    let key: Int
    let pilot: String?
    let resources: NodeResources
    var deadline: Double?
    var draining = false
    /// Tasks a core may hold (1: no prefetch). Agents that cannot queue assignments advertise 1.
    let depth: Int

    /// Free cores per domain, as bit positions into `resources.domains[d].cores`.
    var domainFree: [BitSet]
    var domainFreeCount: [Int]
    var freeCores: Int
    /// Tasks holding each core (running + queued at the agent), per domain and position.
    var occupancy: [[UInt8]]
    /// `levelFree[l - 1][d]`: cores held by exactly `l` tasks (1 ≤ l < depth), i.e. a task placed
    /// there would be queued behind `l` others. Empty when `depth` is 1.
    var levelFree: [[BitSet]]
    var levelCount: [Int]
    /// Free GPUs as positions into `resources.gpus`.
    var gpuFree: BitSet
    var freeGPUs: Int
    var freeMemory: UInt64
    var customFree: [String: Int]
    /// Tasks holding resources here, with their expected end (nil: unknown) for reservations.
    var tasks = IDMap<Double?>()

    init(key: Int, pilot: String?, resources: NodeResources, deadline: Double?, depth: Int = 1) {
        self.key = key
        self.pilot = pilot
        self.resources = resources
        self.deadline = deadline
        self.depth = max(1, min(depth, 32))
        domainFree = resources.domains.map { d in
            var b = BitSet(capacity: d.cores.count)
            for i in 0..<d.cores.count { b.insert(i) }
            return b
        }
        domainFreeCount = resources.domains.map(\.cores.count)
        freeCores = resources.coreCount
        occupancy = resources.domains.map { Array(repeating: 0, count: $0.cores.count) }
        levelFree = (1..<self.depth).map { _ in resources.domains.map { BitSet(capacity: $0.cores.count) } }
        levelCount = Array(repeating: 0, count: self.depth - 1)
        gpuFree = BitSet(capacity: resources.gpus.count)
        for i in 0..<resources.gpus.count { gpuFree.insert(i) }
        freeGPUs = resources.gpus.count
        freeMemory = resources.memoryBytes
        customFree = resources.custom
    }

    var hasFree: Bool { !draining && (freeCores > 0 || freeGPUs > 0 || customFree.values.contains { $0 > 0 }) }

    /// Cores that could still take a queued task (held by fewer than `depth` tasks, but not idle).
    var hasQueueRoom: Bool { !draining && levelCount.contains { $0 > 0 } }

    /// Cores held by at most `level` tasks.
    func coresAtOrBelow(_ level: Int) -> Int {
        var n = freeCores
        var l = 1
        while l <= level && l < depth { n += levelCount[l - 1]; l += 1 }
        return n
    }

    // MARK: - Per-core occupancy (the only place the level sets change)

    /// One more task holds core `pos` of domain `d`.
    mutating func occupy(_ d: Int, _ pos: Int) {
        let o = Int(occupancy[d][pos])
        if o == 0 {
            domainFree[d].remove(pos)
            domainFreeCount[d] -= 1
            freeCores -= 1
        } else if o < depth {
            levelFree[o - 1][d].remove(pos)
            levelCount[o - 1] -= 1
        }
        occupancy[d][pos] = UInt8(o + 1)
        if o + 1 < depth {
            levelFree[o][d].insert(pos)
            levelCount[o] += 1
        }
    }

    /// One task fewer holds core `pos` of domain `d`. Returns false if nothing held it.
    @discardableResult
    mutating func vacate(_ d: Int, _ pos: Int) -> Bool {
        let o = Int(occupancy[d][pos])
        guard o > 0 else { return false }
        if o < depth {
            levelFree[o - 1][d].remove(pos)
            levelCount[o - 1] -= 1
        }
        occupancy[d][pos] = UInt8(o - 1)
        if o == 1 {
            domainFree[d].insert(pos)
            domainFreeCount[d] += 1
            freeCores += 1
        } else {
            levelFree[o - 2][d].insert(pos)
            levelCount[o - 2] += 1
        }
        return true
    }

    /// Whether the task could run here once the node is empty, walltime included.
    func couldHold(_ r: ResourceRequest, time: Double?, now: Double) -> Bool {
        guard !draining, couldEverFit(r) else { return false }
        if let d = deadline, let t = time, now + t > d { return false }
        return true
    }

    /// Whether the per-node share of `r` could fit on this node if it were empty.
    func couldEverFit(_ r: ResourceRequest) -> Bool {
        guard onPilot(r) else { return false }
        guard resources.coreCount >= r.coresPerNode, resources.gpus.count >= r.gpusPerNode,
              resources.memoryBytes >= r.memoryBytes else { return false }
        for c in r.custom where (resources.custom[c.name] ?? 0) < c.amount { return false }
        return true
    }

    /// Count-level check; placement inside the node always succeeds when this holds.
    func fitsNow(_ r: ResourceRequest, time: Double?, now: Double) -> Bool {
        guard !draining, onPilot(r), freeCores >= r.coresPerNode, freeGPUs >= r.gpusPerNode, freeMemory >= r.memoryBytes else { return false }
        for c in r.custom where (customFree[c.name] ?? 0) < c.amount { return false }
        if let d = deadline, let t = time, now + t > d { return false }
        return true
    }

    /// Whether a prefetchable task fits behind at most `level` others. With a deadline, it must also
    /// end in time after everything already here: queued work starts late, so the check is the
    /// conservative one (the latest expected end here, plus the task's own time).
    func fitsQueued(_ r: ResourceRequest, level: Int, time: Double?, now: Double) -> Bool {
        guard !draining, onPilot(r), level < depth, coresAtOrBelow(level) >= r.coresPerNode else { return false }
        if let d = deadline {
            guard let t = time else { return false }
            if expectedDrain(now: now) + t > d { return false }
        }
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

    /// A task pinned to a pilot fits only agents of that pilot; an agent of no pilot is on none.
    func onPilot(_ r: ResourceRequest) -> Bool { r.pilot == nil || r.pilot == pilot }

    func reaches(device: String) -> Bool { resources.qpuDevices.map { $0.contains(device) } ?? true }
}

extension ResourceRequest {
    /// Only plain CPU tasks on one node are queued at an agent behind a running task: a queued task
    /// holding a GPU, memory, a custom resource or a QPU lease would keep it idle while it waits, and
    /// a gang must start on all its nodes at once.
    var isPrefetchable: Bool {
        nodes == 1 && coresPerNode > 0 && gpusPerNode == 0 && memoryBytes == 0 && custom.isEmpty && qpu == nil
    }
}
