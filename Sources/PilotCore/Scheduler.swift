import HeapModule

/// The late-binding scheduler core: pure, deterministic, no I/O.
///
/// The manager feeds it events (agents joining or leaving, tasks becoming ready, tasks ending) and
/// calls `schedule(now:)`, which returns bindings. Priority comes first, then submission order; when
/// the head task cannot fit, smaller tasks backfill, but never onto the nodes reserved for the
/// highest-priority blocked task unless their time request ends before those nodes drain (EASY-style),
/// so large tasks and gangs are not starved by a stream of small ones.
public struct Scheduler: Sendable {
    var agents: [AgentState?] = []
    var slotOfAgent: [Int: Int] = [:]
    var freeSlots: [Int] = []
    /// Agents with something free: the only ones a pass looks at.
    var withFree = BitSet()
    /// Agents with a core that can still queue a prefetched task (prefetch depth > 1).
    var withQueueRoom = BitSet()
    /// The deepest prefetch any agent accepts; 1 means no pass looks for queue room at all.
    var maxDepth = 1
    var agentsByPilot: [String: [Int]] = [:]
    /// Mean runtime of finished tasks by request shape: how deep such tasks may queue.
    var runtimes: [ResourceRequest: Double] = [:]

    var classes: [RequestClass] = []
    var classIndex: [RequestClass.Key: Int] = [:]
    var nextSeq: UInt64 = 0
    /// Ready tasks withdrawn (canceled) but still in a class FIFO; skipped lazily.
    var withdrawn = IDMap<Void>()
    /// The ready tasks.
    var queued = IDWindowSet()

    var bindings = IDMap<Binding>()

    var devices: [String: QPUDeviceInfo] = [:]
    var deviceFree: [String: BitSet] = [:]
    /// Per device slot: the tasks holding it (see Scheduler+LeaseQueue.swift).
    var leaseChains: [String: [LeaseChain]] = [:]
    var deviceNames: [String] = []
    /// `qpu: auto` predictions of queued and bound tasks that carry them.
    var estimates = IDMap<[DeviceEstimate]>()
    /// When each lease is predicted to end: what a busy device's wait is made of.
    var leaseSpans = IDMap<LeaseSpan>()
    /// Decisions of `qpu: auto` bindings not yet taken by the caller (to journal them).
    var choices = IDMap<DeviceChoice>()

    public init(devices: [QPUDeviceInfo] = []) {
        setDevices(devices)
    }

    // MARK: - Counters

    public var queuedCount: Int { queued.count }
    public var boundCount: Int { bindings.count }
    public var agentCount: Int { slotOfAgent.count }
    public func binding(of task: Int64) -> Binding? { bindings[task] }
    public func isQueued(_ task: Int64) -> Bool { queued.contains(task) }

    /// Queued tasks counted by resource request (canceled ones left out): what autoscaling
    /// weighs against each queue's node shape. One pass over the queue.
    public var queuedByRequest: [ResourceRequest: Int] {
        var out: [ResourceRequest: Int] = [:]
        for c in classes {
            let n = c.queue.reduce(0) { $0 + (queued.contains($1.id) ? 1 : 0) }
            if n > 0 { out[c.key.request, default: 0] += n }
        }
        return out
    }

    /// Free slots of each QPU device right now.
    public var deviceUsage: [String: (used: Int, slots: Int)] {
        var out: [String: (Int, Int)] = [:]
        for (n, d) in devices { out[n] = (d.slots - (deviceFree[n]?.count ?? 0), d.slots) }
        return out
    }

    /// `freeCores` counts idle cores only; `tasks` includes tasks queued at the agent.
    public struct AgentUsage: Sendable, Hashable {
        public var freeCores: Int, totalCores: Int, freeGPUs: Int, totalGPUs: Int, tasks: Int, draining: Bool
    }
    public func usage(of agent: Int) -> AgentUsage? {
        guard let s = slotOfAgent[agent], let a = agents[s] else { return nil }
        return AgentUsage(freeCores: a.freeCores, totalCores: a.resources.coreCount, freeGPUs: a.freeGPUs,
                          totalGPUs: a.resources.gpus.count, tasks: a.tasks.count, draining: a.draining)
    }

    /// Tasks bound to an agent (running or queued there), in no particular order.
    public func tasks(on agent: Int) -> [Int64] {
        guard let s = slotOfAgent[agent], agents[s] != nil else { return [] }
        var out: [Int64] = []
        out.reserveCapacity(agents[s]!.tasks.count)
        for (id, _) in agents[s]!.tasks { out.append(id) }
        return out
    }

    /// How many tasks hold each core of an agent (running + queued), by core id: for tests and tools.
    public func occupancy(of agent: Int) -> [Int: Int] {
        guard let s = slotOfAgent[agent], let a = agents[s] else { return [:] }
        var out: [Int: Int] = [:]
        for (d, dom) in a.resources.domains.enumerated() {
            for (pos, c) in dom.cores.enumerated() { out[c.id] = Int(a.occupancy[d][pos]) }
        }
        return out
    }

    // MARK: - Devices

    public mutating func setDevices(_ list: [QPUDeviceInfo]) {
        for d in list where devices[d.name] != d {
            devices[d.name] = d
            var free = BitSet(capacity: d.slots)
            for i in 0..<d.slots { free.insert(i) }
            // Leases already held keep their slots across a reconfiguration.
            for b in bindings.values { if let l = b.qpu, l.device == d.name { for s in l.slots { free.remove(s) } } }
            deviceFree[d.name] = free
            leaseChains[d.name] = chains(for: d)
        }
        deviceNames = devices.keys.sorted()
        for i in classes.indices { classes[i].couldEverFit = couldEverFit(classes[i].key.request) }
    }

    // MARK: - Agents

    /// Registers an agent under the manager's integer key. `deadline` is when its allocation ends.
    /// `depth` is how many tasks one core may hold: 1 running plus `depth - 1` queued at the agent,
    /// which starts each the moment the previous occupant of its cores exits (no round trip).
    public mutating func addAgent(_ key: Int, resources: NodeResources, pilot: String? = nil, deadline: Double? = nil,
                                  depth: Int = 1) throws(CoreError) {
        try resources.validate()
        guard slotOfAgent[key] == nil else { throw CoreError(.invalidRequest, "agent \(key) is already registered") }
        let slot: Int
        if let s = freeSlots.popLast() { slot = s } else { slot = agents.count; agents.append(nil) }
        let state = AgentState(key: key, pilot: pilot, resources: resources, deadline: deadline, depth: depth)
        agents[slot] = state
        slotOfAgent[key] = slot
        maxDepth = max(maxDepth, state.depth)
        if let p = pilot { agentsByPilot[p, default: []].append(slot) }
        withFree.grow(to: agents.count)
        withQueueRoom.grow(to: agents.count)
        refreshFree(slot)
        for i in classes.indices where !classes[i].couldEverFit { classes[i].couldEverFit = couldEverFit(classes[i].key.request) }
    }

    /// Removes an agent and returns the tasks that held resources on it (to requeue or fail).
    /// Gang tasks spanning other agents release everything they held there too.
    public mutating func removeAgent(_ key: Int) -> [Int64] {
        guard let slot = slotOfAgent.removeValue(forKey: key), let a = agents[slot] else { return [] }
        let lost = a.tasks.keys.sorted()
        for t in lost { release(t) }
        agents[slot] = nil
        withFree.remove(slot)
        withQueueRoom.remove(slot)
        freeSlots.append(slot)
        if let p = a.pilot {
            agentsByPilot[p]?.removeAll { $0 == slot }
            if agentsByPilot[p]?.isEmpty == true { agentsByPilot[p] = nil }
        }
        return lost
    }

    /// A draining agent takes no new tasks (walltime near, or SIGTERM).
    public mutating func setDraining(_ key: Int, _ draining: Bool = true) {
        guard let slot = slotOfAgent[key] else { return }
        agents[slot]!.draining = draining
        refreshFree(slot)
    }

    public mutating func setDeadline(_ key: Int, _ deadline: Double?) {
        guard let slot = slotOfAgent[key] else { return }
        agents[slot]!.deadline = deadline
    }

    /// Whether any registered agent (or, for gangs, any pilot) could hold the request when idle,
    /// with a device that could ever lease its QPU slots, reachable from that agent (a gang's first
    /// node). A request that never could is passed over by `schedule`: it must not hold back the
    /// tasks behind it, nor reserve nodes for itself.
    public func couldEverFit(_ r: ResourceRequest) -> Bool {
        var candidates: [String] = []
        if let q = r.qpu {
            candidates = (q.device.map { [$0] } ?? deviceNames).filter { n in devices[n].map(q.couldUse) ?? false }
            if candidates.isEmpty { return false }
        }
        func reaches(_ a: AgentState) -> Bool { r.qpu == nil || candidates.contains { a.reaches(device: $0) } }
        if r.isGang {
            return agentsByPilot.values.contains { slots in
                let fit = slots.filter { agents[$0]!.couldEverFit(r) }
                return fit.count >= r.nodes && fit.contains { reaches(agents[$0]!) }
            }
        }
        for a in agents { if let a, a.couldEverFit(r), reaches(a) { return true } }
        return false
    }

    // MARK: - Queue

    /// Makes a task ready for binding. Order among equals is the order of calls.
    /// `estimates` are the task's per-device predictions, for `qpu: auto`.
    public mutating func enqueue(_ id: Int64, request: ResourceRequest, priority: Int = 0, time: Double? = nil,
                                 estimates: [DeviceEstimate]? = nil) {
        if let estimates, !estimates.isEmpty { self.estimates[id] = estimates } else { self.estimates.removeValue(forKey: id) }
        let key = RequestClass.Key(request: request, priority: priority, time: time)
        let c: Int
        if let i = classIndex[key] { c = i } else {
            c = classes.count
            var rc = RequestClass(key: key)
            rc.couldEverFit = couldEverFit(request)
            classes.append(rc)
            classIndex[key] = c
        }
        withdrawn.removeValue(forKey: id)
        classes[c].queue.append((id, nextSeq))
        nextSeq &+= 1
        queued.insert(id)
    }

    /// Takes a ready task out of the queue (canceled). Returns false if it was not queued.
    @discardableResult
    public mutating func withdraw(_ id: Int64) -> Bool {
        guard queued.remove(id) else { return false }
        withdrawn[id] = ()
        estimates.removeValue(forKey: id)
        return true
    }

    // MARK: - Ending tasks

    /// Frees everything a task held. Safe to call for a task that holds nothing.
    public mutating func release(_ task: Int64) {
        guard let b = bindings.removeValue(forKey: task) else { return }
        for p in b.placements {
            guard let slot = slotOfAgent[p.agent], agents[slot] != nil else { continue }
            freePlacement(p, slot: slot)
            agents[slot]!.tasks[task] = nil
            refreshFree(slot)
        }
        if let l = b.qpu { dropLease(l) }
        estimates.removeValue(forKey: task)
        leaseSpans.removeValue(forKey: task)
        choices.removeValue(forKey: task)
    }

    /// Re-installs a binding that exists outside the scheduler (a manager restart, an agent that
    /// reconnects with running tasks). Fails without change if any slot is no longer free.
    public mutating func adopt(_ b: Binding, expectedEnd: Double? = nil) -> Bool {
        guard bindings[b.task] == nil else { return false }
        var plan: [(Int, NodePlacement)] = []
        for p in b.placements {
            guard let slot = slotOfAgent[p.agent], let a = agents[slot], canHold(p, on: a) else { return false }
            plan.append((slot, p))
        }
        if let l = b.qpu {
            guard let free = deviceFree[l.device], l.slots.allSatisfy({ free.contains($0) }) else { return false }
        }
        withdraw(b.task)
        for (slot, p) in plan { takePlacement(p, slot: slot); agents[slot]!.tasks[b.task] = expectedEnd; refreshFree(slot) }
        if let l = b.qpu { holdLease(l, task: b.task) }
        bindings[b.task] = b
        return true
    }

    // MARK: - The pass

    struct HeapEntry: Comparable {
        var priority: Int
        var seq: UInt64
        var cls: Int
        static func < (a: Self, b: Self) -> Bool {
            a.priority != b.priority ? a.priority > b.priority : a.seq < b.seq
        }
    }

    struct Reservation {
        var slots: Set<Int>
        var start: Double
    }

    /// Binds as many ready tasks as fit, highest priority first, then oldest first. `limit` caps the
    /// number of bindings so a huge backlog is handed out in bounded batches.
    public mutating func schedule(now: Double, limit: Int = .max) -> [Binding] {
        var out: [Binding] = []
        var heap = Heap<HeapEntry>()
        for i in classes.indices where classes[i].couldEverFit {
            if let head = popWithdrawn(i) { heap.insert(HeapEntry(priority: classes[i].key.priority, seq: head, cls: i)) }
        }
        var reservation: Reservation?
        while out.count < limit, let top = heap.popMin() {
            let c = top.cls
            let key = classes[c].key
            guard let (id, _) = classes[c].queue.first else { continue }
            if let b = place(task: id, key.request, time: key.time, now: now, avoiding: reservation) {
                classes[c].queue.removeFirst()
                queued.remove(id)
                out.append(b)
                if let next = popWithdrawn(c) { heap.insert(HeapEntry(priority: key.priority, seq: next, cls: c)) }
            } else if reservation == nil {
                reservation = reserve(for: key.request, time: key.time, now: now)
            }
        }
        return out
    }

    /// Drops canceled entries from a class head and returns the head's sequence number.
    private mutating func popWithdrawn(_ c: Int) -> UInt64? {
        while let head = classes[c].queue.first {
            if withdrawn.contains(head.id) {
                withdrawn.removeValue(forKey: head.id)
                classes[c].queue.removeFirst()
                continue
            }
            return head.seq
        }
        return nil
    }

    /// Picks the nodes the blocked task will get first: those expected to drain soonest.
    private func reserve(for r: ResourceRequest, time: Double?, now: Double) -> Reservation? {
        if r.isGang {
            var best: Reservation?
            for p in agentsByPilot.keys.sorted() {
                let cands = agentsByPilot[p]!.filter { agents[$0]!.couldHold(r, time: time, now: now) }
                guard cands.count >= r.nodes else { continue }
                let chosen = cands.map { (slot: $0, drain: agents[$0]!.expectedDrain(now: now), free: agents[$0]!.freeCores) }
                    .sorted { ($0.drain, -$0.free, $0.slot) < ($1.drain, -$1.free, $1.slot) }
                    .prefix(r.nodes)
                let start = chosen.map(\.drain).max() ?? now
                if best == nil || start < best!.start { best = Reservation(slots: Set(chosen.map(\.slot)), start: start) }
            }
            return best
        }
        var best: (slot: Int, drain: Double, free: Int)?
        for (slot, a) in agents.enumerated() {
            guard let a, a.couldHold(r, time: time, now: now) else { continue }
            let d = a.expectedDrain(now: now)
            if best == nil || (d, -a.freeCores) < (best!.drain, -best!.free) { best = (slot, d, a.freeCores) }
        }
        return best.map { Reservation(slots: [$0.slot], start: $0.drain) }
    }

    /// A task may use a reserved node only if it is known to finish before the node is needed.
    func allowed(_ slot: Int, time: Double?, now: Double, _ res: Reservation?) -> Bool {
        guard let res, res.slots.contains(slot) else { return true }
        guard let t = time, res.start.isFinite else { return false }
        return now + t <= res.start
    }
}
