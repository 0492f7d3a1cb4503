import Foundation
import PilotCore
import PilotProtocol
import PilotStore

extension ManagerReactor {
    /// Rebuilds memory from the store after a restart. Ready tasks go back in the queue; bound and
    /// running tasks wait for their agent to reconnect (or to be declared lost). Ids and the journal
    /// continue where the store ends.
    mutating func restore(_ s: ReactorSnapshot) {
        counts = s.counts
        specs = s.specs
        nextTaskID = s.maxTaskID + 1
        nextSpecID = s.maxSpecID + 1
        nextWorkflowID = s.maxWorkflowID + 1
        nextWorkloadID = s.maxWorkloadID + 1
        nextSeq = s.lastSeq + 1
        for r in s.liveTasks {
            live[r.id] = r
            specRefs[r.specID, default: 0] += 1
        }
        for r in s.liveTasks where r.state == .ready || (r.state == .new && spec(of: r).after.isEmpty) {
            let spec = spec(of: r)
            scheduler.enqueue(r.id, request: spec.request, priority: r.priority, time: spec.timeRequest, estimates: spec.qpuEstimates)
        }
        restoreDependencies(s.liveTasks.filter { $0.state == .new && !spec(of: $0).after.isEmpty }, endedBadly: s.endedBadly)
        for a in s.agents where a.state == "active" || a.state == "disconnected" {
            // Silent since the restart: lost unless it reconnects within one heartbeat timeout.
            agents[a.id] = AgentRecord(id: a.id, uuid: a.uuid, hostname: a.hostname, pilot: a.pilot, resources: a.resources,
                                       state: .disconnected, link: nil, registeredAt: a.registeredAt, lastSeen: now,
                                       deadline: a.deadline)
            agentByUUID[a.uuid] = a.id
        }
        nextAgentID = (s.agents.map(\.id).max() ?? 0) + 1
        if !s.liveTasks.isEmpty || !agents.isEmpty {
            log(.info, "restored \(s.liveTasks.count) live tasks and \(agents.count) agents")
        }
        restorePilots(s.pilots, queues: s.allocQueues)
        restoreWorkflows(s.workflows)
        // What the restore itself changed (a pilot that was being submitted, files of a workflow).
        flushBatch()
    }

    mutating func restorePilots(_ rows: [PilotRow], queues: [AllocQueueRow]) {
        for row in rows {
            var rec = PilotRecord(row: row)
            if rec.state == .submitting {
                // The manager stopped between storing the pilot and hearing Slurm's answer.
                rec.state = .failed
                rec.ended = true
                rec.reason = "the manager stopped while submitting it; a Slurm job named pilot-\(rec.id) may exist"
                savePilot(rec)
            }
            pilotBook.records[rec.id] = rec
            pilotBook.nextNumber = max(pilotBook.nextNumber, (rec.number ?? 0) + 1)
        }
        for r in queues {
            guard let req = try? JSONDecoder().decode(AllocQueueRequest.self, from: Data(r.params.utf8)) else { continue }
            var q = AllocQueue(id: r.id, request: req, state: AllocQueueInfo.State(rawValue: r.state) ?? .paused,
                               reason: r.reason, createdAt: r.createdAt)
            q.shape = AllocQueue.shape(inParams: r.params)
            pilotBook.autoscale.queues[r.id] = q
            pilotBook.autoscale.nextQueueID = max(pilotBook.autoscale.nextQueueID, r.id + 1)
        }
        // Pilots that ended before the restart are not counted again as failures.
        for p in pilotBook.records.values where p.queue != nil && p.state != .submitting && p.state != .pending {
            pilotBook.autoscale.settled.insert(p.id)
        }
    }
}
