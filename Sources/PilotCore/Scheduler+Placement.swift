/// Placement inside nodes: NUMA packing, GPU↔NUMA coupling, gangs and QPU leases.
extension Scheduler {
    mutating func place(task: Int64, _ r: ResourceRequest, time: Double?, now: Double, avoiding res: Reservation?) -> Binding? {
        // The lease is chosen first: it is the scarcest, system-wide resource.
        var lease: QPULease?
        var leaseDevice: String?
        var choice: DeviceChoice?
        if let q = r.qpu {
            if let policy = q.policy {
                guard let (d, c) = autoDevice(task: task, q, policy: policy, now: now) else { return nil }
                leaseDevice = d
                choice = c
            } else {
                guard let d = pickDevice(q) else { return placeBehindLease(task: task, r, time: time, now: now, avoiding: res) }
                leaseDevice = d
            }
        }
        var slots: [Int] = []
        if r.isGang {
            guard let g = pickGang(r, time: time, now: now, res, device: leaseDevice) else { return nil }
            slots = g
        } else {
            var s = withFree.next(from: 0)
            while let slot = s {
                // Read through the array, never `let a = agents[slot]!`: that copy retains every
                // buffer of the agent's state, which showed up at ~8 % of a scheduling pass.
                if agents[slot]!.fitsNow(r, time: time, now: now), allowed(slot, time: time, now: now, res),
                   leaseDevice.map({ agents[slot]!.reaches(device: $0) }) ?? true {
                    slots = [slot]
                    break
                }
                s = withFree.next(from: slot + 1)
            }
            if slots.isEmpty {
                if r.qpu != nil { return placeBehindLease(task: task, r, time: time, now: now, avoiding: res) }
                // No idle core anywhere fits: queue it behind the fewest tasks possible, level by level,
                // so a shallow queue on any agent beats a deep one on the first.
                guard maxDepth > 1, r.isPrefetchable, let (slot, level) = pickQueued(r, time: time, now: now, res) else { return nil }
                return placeQueued(task: task, r, slot: slot, level: level, end: time.map { now + $0 })
            }
        }
        if let d = leaseDevice {
            lease = QPULease(device: d, slots: deviceFree[d]!.takeLowest(r.qpu!.count))
            holdLease(lease!, task: task)
            noteLease(task: task, device: d, time: time, now: now)
            if let choice { choices[task] = choice }
        }
        var placements: [NodePlacement] = []
        placements.reserveCapacity(slots.count)
        let end = time.map { now + $0 }
        for slot in slots {
            placements.append(carve(r, slot: slot))
            agents[slot]!.tasks[task] = end
            refreshFree(slot)
        }
        let b = Binding(task: task, placements: placements, qpu: lease)
        bindings[task] = b
        return b
    }

    /// The agent and the shallowest level at which a prefetchable task fits behind running work.
    private func pickQueued(_ r: ResourceRequest, time: Double?, now: Double, _ res: Reservation?) -> (Int, Int)? {
        for level in 1..<depthLimit(r, time: time) {
            var s = withQueueRoom.next(from: 0)
            while let slot = s {
                if agents[slot]!.fitsQueued(r, level: level, time: time, now: now), allowed(slot, time: time, now: now, res) {
                    return (slot, level)
                }
                s = withQueueRoom.next(from: slot + 1)
            }
        }
        return nil
    }

    /// Takes the least-held cores (idle first, then those with one task, …, up to `level`), packed
    /// in one domain when one domain has enough. The cores are exact: the agent starts the task on
    /// them once every task ahead of it on those cores has ended.
    private mutating func placeQueued(task: Int64, _ r: ResourceRequest, slot: Int, level: Int, end: Double?) -> Binding {
        let need = r.coresPerNode
        let res = agents[slot]!.resources
        var picked: [(d: Int, pos: Int)] = []
        picked.reserveCapacity(need)
        func candidates(_ d: Int, upTo level: Int) -> Int {
            var n = agents[slot]!.domainFreeCount[d]
            for l in 1...level { n += agents[slot]!.levelFree[l - 1][d].count }
            return n
        }
        let all = Array(res.domains.indices)
        // A multi-core task stays in one domain when one domain has enough; otherwise it spans.
        let order = need == 1 ? all : (all.first { candidates($0, upTo: level) >= need }.map { [$0] } ?? all)
        outer: for l in 0...level {
            for d in order {
                let set = l == 0 ? agents[slot]!.domainFree[d] : agents[slot]!.levelFree[l - 1][d]
                var p = set.next(from: 0)
                while let pos = p {
                    picked.append((d, pos))
                    if picked.count == need { break outer }
                    p = set.next(from: pos + 1)
                }
            }
        }
        var coreIDs: [Int] = []
        var pus: [Int] = []
        var domains: [Int] = []
        coreIDs.reserveCapacity(need)
        for (d, pos) in picked {
            agents[slot]!.occupy(d, pos)
            let core = res.domains[d].cores[pos]
            coreIDs.append(core.id)
            pus.append(contentsOf: core.pus)
            if !domains.contains(res.domains[d].id) { domains.append(res.domains[d].id) }
        }
        agents[slot]!.tasks[task] = end
        refreshFree(slot)
        let rank = NodePlacement.RankSlots(cores: coreIDs, pus: pus, gpus: [], domains: domains)
        let b = Binding(task: task, placements: [NodePlacement(agent: agents[slot]!.key, ranks: [rank])])
        bindings[task] = b
        return b
    }

    /// The reachable device with the most free slots (ties by name) that satisfies the selector.
    func pickDevice(_ q: QPUSelector) -> String? {
        var best: (name: String, free: Int)?
        let names = q.device.map { [$0] } ?? deviceNames
        for n in names {
            guard let info = devices[n], info.qubits >= q.minQubits, let free = deviceFree[n]?.count, free >= q.count else { continue }
            if best == nil || free > best!.free { best = (n, free) }
        }
        return best?.name
    }

    private func pickGang(_ r: ResourceRequest, time: Double?, now: Double, _ res: Reservation?, device: String?) -> [Int]? {
        for p in agentsByPilot.keys.sorted() {
            var chosen: [Int] = []
            for slot in agentsByPilot[p]! {
                let a = agents[slot]!
                guard a.fitsNow(r, time: time, now: now), allowed(slot, time: time, now: now, res) else { continue }
                if chosen.isEmpty, let d = device, !a.reaches(device: d) { continue }
                chosen.append(slot)
                if chosen.count == r.nodes { return chosen }
            }
        }
        return nil
    }

    /// Takes the per-node share of `r` on one agent; the caller has checked the counts fit.
    private mutating func carve(_ r: ResourceRequest, slot: Int) -> NodePlacement {
        var ranks: [NodePlacement.RankSlots] = []
        for _ in 0..<r.ranksPerNode {
            ranks.append(carveRank(cores: r.coresPerRank, gpus: r.gpusPerRank, slot: slot))
        }
        agents[slot]!.freeMemory -= r.memoryBytes
        for c in r.custom { agents[slot]!.customFree[c.name]! -= c.amount }
        return NodePlacement(agent: agents[slot]!.key, ranks: ranks, memoryBytes: r.memoryBytes, custom: r.custom)
    }

    private mutating func carveRank(cores: Int, gpus: Int, slot: Int) -> NodePlacement.RankSlots {
        let res = agents[slot]!.resources
        var gpuIdx: [Int] = []
        var domainOrder: [Int]
        if gpus > 0 {
            // GPUs first, from the domain that can also hold the cores; then the cores nearest them.
            var freeGPUsInDomain: [Int: [Int]] = [:]
            var s = agents[slot]!.gpuFree.next(from: 0)
            while let i = s {
                freeGPUsInDomain[res.gpus[i].domain ?? -1, default: []].append(i)
                s = agents[slot]!.gpuFree.next(from: i + 1)
            }
            let doms = freeGPUsInDomain.keys.sorted()
            let home = doms.first { d in freeGPUsInDomain[d]!.count >= gpus && domainFreeCount(slot, d) >= cores }
                ?? doms.first { freeGPUsInDomain[$0]!.count >= gpus }
                ?? doms.max { freeGPUsInDomain[$0]!.count < freeGPUsInDomain[$1]!.count }!
            var picked: [Int] = []
            for d in [home] + doms.filter({ $0 != home }) {
                for i in freeGPUsInDomain[d]! where picked.count < gpus { picked.append(i) }
            }
            for i in picked { agents[slot]!.gpuFree.remove(i) }
            agents[slot]!.freeGPUs -= picked.count
            gpuIdx = picked
            let gpuDomains = Set(picked.compactMap { res.gpus[$0].domain })
            domainOrder = gpuDomains.sorted() + bySpace(slot).filter { !gpuDomains.contains($0) }
        } else {
            // Best fit: the fullest domain that still holds the whole rank keeps big holes for big tasks.
            let fits = res.domains.indices.filter { agents[slot]!.domainFreeCount[$0] >= cores }
            if let d = fits.min(by: { (agents[slot]!.domainFreeCount[$0], $0) < (agents[slot]!.domainFreeCount[$1], $1) }) {
                domainOrder = [d]
            } else {
                domainOrder = bySpace(slot)
            }
        }
        var coreIDs: [Int] = []
        var pus: [Int] = []
        var usedDomains: [Int] = []
        var need = cores
        coreIDs.reserveCapacity(cores)
        for d in domainOrder where need > 0 {
            var took = false
            while need > 0, let pos = agents[slot]!.domainFree[d].next(from: 0) {
                agents[slot]!.occupy(d, pos)
                need -= 1
                took = true
                let core = res.domains[d].cores[pos]
                coreIDs.append(core.id)
                pus.append(contentsOf: core.pus)
            }
            if took { usedDomains.append(res.domains[d].id) }
        }
        if usedDomains.isEmpty { usedDomains = Set(gpuIdx.compactMap { res.gpus[$0].domain }).sorted() }
        return .init(cores: coreIDs, pus: pus, gpus: gpuIdx.map { res.gpus[$0].index }, domains: usedDomains)
    }

    private func domainFreeCount(_ slot: Int, _ domainID: Int) -> Int {
        guard let i = agents[slot]!.resources.domains.firstIndex(where: { $0.id == domainID }) else { return 0 }
        return agents[slot]!.domainFreeCount[i]
    }

    /// Domain positions, most free cores first (ties by position).
    private func bySpace(_ slot: Int) -> [Int] {
        let a = agents[slot]!
        return a.resources.domains.indices.sorted { (-a.domainFreeCount[$0], $0) < (-a.domainFreeCount[$1], $1) }
    }

    // MARK: - Bookkeeping shared by release and adopt

    func canHold(_ p: NodePlacement, on a: AgentState) -> Bool {
        for core in p.cores {
            guard let (d, pos) = locate(core: core, in: a.resources), a.domainFree[d].contains(pos) else { return false }
        }
        for g in p.gpus {
            guard let pos = a.resources.gpus.firstIndex(where: { $0.index == g }), a.gpuFree.contains(pos) else { return false }
        }
        guard a.freeMemory >= p.memoryBytes else { return false }
        for c in p.custom where (a.customFree[c.name] ?? 0) < c.amount { return false }
        return true
    }

    mutating func takePlacement(_ p: NodePlacement, slot: Int) {
        // Only `resources` is read through a copy: holding the whole state while mutating it would
        // copy every per-domain bit set on each call.
        let res = agents[slot]!.resources
        for rank in p.ranks {
            for core in rank.cores {
                let (d, pos) = locate(core: core, in: res)!
                agents[slot]!.occupy(d, pos)
            }
        }
        for g in p.gpus {
            let pos = res.gpus.firstIndex { $0.index == g }!
            agents[slot]!.gpuFree.remove(pos)
            agents[slot]!.freeGPUs -= 1
        }
        agents[slot]!.freeMemory -= p.memoryBytes
        for c in p.custom { agents[slot]!.customFree[c.name]! -= c.amount }
    }

    mutating func freePlacement(_ p: NodePlacement, slot: Int) {
        let res = agents[slot]!.resources
        for rank in p.ranks {
            for core in rank.cores {
                guard let (d, pos) = locate(core: core, in: res) else { continue }
                agents[slot]!.vacate(d, pos)
            }
        }
        for g in p.gpus {
            guard let pos = res.gpus.firstIndex(where: { $0.index == g }), !agents[slot]!.gpuFree.contains(pos) else { continue }
            agents[slot]!.gpuFree.insert(pos)
            agents[slot]!.freeGPUs += 1
        }
        agents[slot]!.freeMemory += p.memoryBytes
        for c in p.custom { agents[slot]!.customFree[c.name, default: 0] += c.amount }
    }

    /// Core ids are dense per domain in practice, so try the arithmetic position before searching.
    func locate(core: Int, in res: NodeResources) -> (Int, Int)? {
        for (d, dom) in res.domains.enumerated() {
            guard let first = dom.cores.first, let last = dom.cores.last else { continue }
            let guess = core - first.id
            if guess >= 0, guess < dom.cores.count, dom.cores[guess].id == core { return (d, guess) }
            if core >= min(first.id, last.id) - 0, let pos = dom.cores.firstIndex(where: { $0.id == core }) { return (d, pos) }
        }
        return nil
    }

    mutating func refreshFree(_ slot: Int) {
        if agents[slot]!.hasFree { withFree.insert(slot) } else { withFree.remove(slot) }
        if agents[slot]!.depth > 1 {
            if agents[slot]!.hasQueueRoom || agents[slot]!.freeCores > 0 { withQueueRoom.insert(slot) } else { withQueueRoom.remove(slot) }
        }
    }
}
