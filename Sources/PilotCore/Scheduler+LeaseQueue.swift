/// QPU tasks queued at an agent behind the task that holds their device slot.
///
/// A QPU lease is held by one running task, so without this every QPU task waited at the manager
/// until the one before it on its slot had ended, been reported and been committed: one round trip
/// and one commit per quantum task, however short. Here a one-core QPU task may instead be bound
/// behind the last task on a busy device slot, on that task's own core, and inherit the slot when
/// the agent starts it. The slot's tasks and the core's tasks are then one queue, so the agent
/// starts each the moment the one before it ends and no queued task keeps a slot or core idle that
/// another could use. How deep is the same runtime-based limit plain CPU tasks have.
extension Scheduler {
    /// The tasks holding one device slot: the one running plus those queued behind it, all on one
    /// agent, and the last one bound (the one a newcomer queues behind).
    struct LeaseChain: Sendable {
        var holders: UInt8 = 0
        var tail: Int64 = -1
    }

    /// Binds a task behind the shallowest busy slot of a matching device whose last task runs on
    /// one core that holds nothing else; nil when none can take it.
    mutating func placeBehindLease(task: Int64, _ r: ResourceRequest, time: Double?, now: Double, avoiding res: Reservation?) -> Binding? {
        guard maxDepth > 1, r.queuesBehindLease, let q = r.qpu else { return nil }
        let limit = depthLimit(r, time: time)
        guard limit > 1 else { return nil }
        var best: (device: String, slot: Int, agent: Int, d: Int, pos: Int, level: Int)?
        search: for n in q.device.map({ [$0] }) ?? deviceNames {
            guard let info = devices[n], info.qubits >= q.minQubits, let chains = leaseChains[n] else { continue }
            for s in chains.indices {
                let held = Int(chains[s].holders)
                guard held > 0, held < limit, held < (best?.level ?? .max),
                      let b = bindings[chains[s].tail], b.placements.count == 1, b.placements[0].ranks.count == 1,
                      b.placements[0].ranks[0].cores.count == 1, b.placements[0].ranks[0].gpus.isEmpty,
                      let agent = slotOfAgent[b.placements[0].agent],
                      let (d, pos) = locate(core: b.placements[0].ranks[0].cores[0], in: agents[agent]!.resources),
                      // Only the slot's own tasks on that core: then the core's queue is the slot's.
                      Int(agents[agent]!.occupancy[d][pos]) == held,
                      agents[agent]!.fitsQueued(r, level: held, time: time, now: now),
                      agents[agent]!.reaches(device: n),
                      allowed(agent, time: time, now: now, res) else { continue }
                best = (n, s, agent, d, pos, held)
                if held == 1 { break search }
            }
        }
        guard let pick = best else { return nil }
        agents[pick.agent]!.occupy(pick.d, pick.pos)
        agents[pick.agent]!.tasks[task] = time.map { now + $0 }
        refreshFree(pick.agent)
        leaseChains[pick.device]![pick.slot].holders += 1
        leaseChains[pick.device]![pick.slot].tail = task
        // No lease span: it starts only when the tasks ahead of it end, which the spans of those
        // tasks already predict.
        let dom = agents[pick.agent]!.resources.domains[pick.d]
        let core = dom.cores[pick.pos]
        let rank = NodePlacement.RankSlots(cores: [core.id], pus: core.pus, gpus: [], domains: [dom.id])
        let b = Binding(task: task, placements: [NodePlacement(agent: agents[pick.agent]!.key, ranks: [rank])],
                        qpu: QPULease(device: pick.device, slots: [pick.slot]))
        bindings[task] = b
        return b
    }

    /// A task took free device slots: each leaves the free set and starts a chain of its own.
    /// `dropLease` is the way back.
    mutating func holdLease(_ l: QPULease, task: Int64) {
        for s in l.slots { deviceFree[l.device]?.remove(s) }
        for s in l.slots where leaseChains[l.device]?.indices.contains(s) == true {
            leaseChains[l.device]![s].holders += 1
            leaseChains[l.device]![s].tail = task
        }
    }

    /// A task that held device slots ended: a slot is free once no task is queued behind it.
    mutating func dropLease(_ l: QPULease) {
        for s in l.slots {
            guard leaseChains[l.device]?.indices.contains(s) == true, leaseChains[l.device]![s].holders > 0 else {
                deviceFree[l.device]?.insert(s)
                continue
            }
            leaseChains[l.device]![s].holders -= 1
            if leaseChains[l.device]![s].holders == 0 {
                leaseChains[l.device]![s].tail = -1
                deviceFree[l.device]?.insert(s)
            }
        }
    }

    /// Chains of a device (re)configured while leases are held: their counts, but no tail, so
    /// nothing queues behind those until they have drained.
    func chains(for d: QPUDeviceInfo) -> [LeaseChain] {
        var out = Array(repeating: LeaseChain(), count: d.slots)
        for b in bindings.values {
            guard let l = b.qpu, l.device == d.name else { continue }
            for s in l.slots where s < out.count && out[s].holders < .max { out[s].holders += 1 }
        }
        return out
    }
}

extension ResourceRequest {
    /// One core on one node, one device slot chosen by name or by any device, nothing else held
    /// while waiting: what may queue behind the slot's current task (see `placeBehindLease`).
    var queuesBehindLease: Bool {
        nodes == 1 && ranksPerNode == 1 && coresPerRank == 1 && gpusPerRank == 0 && memoryBytes == 0 && custom.isEmpty
            && qpu.map { $0.count == 1 && $0.policy == nil } ?? false
    }
}
