import Foundation
import PilotCore
import PilotProtocol
import PilotStore

extension ManagerReactor {
    /// A (re)connecting agent, already authenticated by the channel. Reconciles what it reports
    /// against what the manager knows: its running tasks are kept (never run twice), tasks bound to it
    /// that it never started are bound again, and tasks the manager has since given to someone else
    /// are returned in `kill`.
    mutating func agentHello(_ hello: AgentHello, connection conn: ConnectionID) {
        do {
            try register(hello, connection: conn)
        } catch {
            log(.warning, "refused agent \(hello.hostname): \(error)")
            effects.append(.send(conn, .error(error.body)))
            effects.append(.close(conn))
        }
    }

    private mutating func register(_ hello: AgentHello, connection conn: ConnectionID) throws(ManagerError) {
        do { try hello.resources.validate() } catch {
            throw ManagerError(.badRequest, error.message, field: error.field.map { "hello.\($0)" } ?? "hello.resources")
        }
        guard !hello.agentUUID.isEmpty, hello.agentUUID.count <= 200 else {
            throw ManagerError(.badRequest, "agent UUID must be 1...200 characters", field: "hello.agentUUID")
        }
        try checkPilotAcceptsAgents(hello.pilot)
        let t = now
        let id: Int
        let known = agentByUUID[hello.agentUUID] != nil
        if let existing = agentByUUID[hello.agentUUID] {
            id = existing
            if let old = agents[id]?.link, old != conn {
                agentOfConnection[old] = nil
                effects.append(.close(old))
            }
        } else {
            id = nextAgentID
            nextAgentID += 1
            agentByUUID[hello.agentUUID] = id
        }
        let wasScheduled = agents[id]?.scheduled ?? false
        var rec = agents[id] ?? AgentRecord(id: id, uuid: hello.agentUUID, hostname: hello.hostname, pilot: hello.pilot,
                                            resources: hello.resources, state: .active, link: nil, registeredAt: t,
                                            lastSeen: t, deadline: hello.deadline)
        rec.hostname = hello.hostname
        rec.pilot = hello.pilot
        rec.resources = hello.resources
        rec.state = .active
        rec.link = conn
        rec.lastSeen = t
        rec.deadline = hello.deadline
        rec.draining = hello.draining
        if !wasScheduled {
            let depth = min(max(config.prefetch, 1), max(hello.prefetch ?? 1, 1))
            do { try scheduler.addAgent(id, resources: hello.resources, pilot: hello.pilot, deadline: hello.deadline, depth: depth) } catch {
                throw ManagerError(.badRequest, error.message, field: "hello.resources")
            }
            rec.scheduled = true
        } else {
            scheduler.setDeadline(id, hello.deadline)
        }
        scheduler.setDraining(id, hello.draining)
        agents[id] = rec
        agentOfConnection[conn] = id
        dirtyAgents.insert(id)
        journal(known ? .agentReattached : .agentRegistered, agent: id, pilot: hello.pilot,
                detail: #"{"hostname":\#(Self.jsonString(hello.hostname)),"cores":\#(hello.resources.coreCount),"gpus":\#(hello.resources.gpus.count),"running":\#(hello.running.count)}"#)

        var kill: [TaskKey] = []
        let reported = Set(hello.running.map(\.key.task)).union(hello.finished.map(\.key.task))
        for r in hello.running {
            guard let row = live[r.key.task], row.attempt == r.key.attempt else { kill.append(r.key); continue }
            switch row.state {
            case .bound where row.agent == id, .running where row.agent == id:
                if scheduler.binding(of: row.id) == nil, let b = row.binding, !scheduler.adopt(b, expectedEnd: nil) {
                    kill.append(r.key)
                    requeue(row.id, reason: "could not restore binding after reconnect")
                    continue
                }
                if row.state == .bound { live[row.id]!.startedAt = r.startedAt; setState(row.id, .running) }
            case .ready where row.binding == nil && row.agent == nil:
                // Requeued while the agent was away but not yet bound elsewhere: the partition healed,
                // so take the running attempt back instead of starting a second one.
                if let b = restoredBinding(row, agent: id), scheduler.adopt(b) {
                    lastBindings[row.id] = nil
                    live[row.id]!.attempt = r.key.attempt
                    live[row.id]!.binding = b
                    live[row.id]!.agent = id
                    live[row.id]!.startedAt = r.startedAt
                    setState(row.id, .running, reason: "reattached after agent reconnected")
                } else {
                    kill.append(r.key)
                }
            default:
                kill.append(r.key)
                if row.state == .canceled { release(row.id) }
            }
        }
        // Bound to this agent but neither running nor finished there: it never started, or it
        // died with the agent's previous incarnation. A new agent holds nothing; one scheduled since
        // this manager started holds what the scheduler bound to it; only one restored from the store
        // (or lost) needs the scan of every live task, which per hello made 1,000 agents take minutes
        // to register over a deep queue.
        let holding: [Int64]
        if !known { holding = [] }
        else if wasScheduled { holding = scheduler.tasks(on: id) }
        else { holding = live.compactMap { $0.value.agent == id ? $0.key : nil } }
        for tid in holding.filter({ live[$0]?.agent == id && !reported.contains($0) }).sorted() {
            switch live[tid]!.state {
            case .bound:
                release(tid)
                requeue(tid, reason: "agent reconnected without having started it")
            case .running:
                release(tid)
                crashed(tid, reason: "agent restarted while the task was running")
            case .canceled:
                release(tid)
            default: break
            }
        }
        // The welcome precedes any assignment: both travel in effect order.
        effects.append(.send(conn, .welcome(Welcome(agentID: id, heartbeatInterval: config.heartbeatInterval, kill: kill,
                                                    combined: true, binary: true))))
        if !hello.finished.isEmpty { finished(hello.finished, from: id) }
        log(.info, "agent \(id) registered: \(hello.hostname) pilot=\(hello.pilot ?? "-") cores=\(hello.resources.coreCount) gpus=\(hello.resources.gpus.count) running=\(hello.running.count)")
        // An agent that (re)connects after its pilot was told to drain drains too.
        if !hello.draining, let p = hello.pilot, let rec = pilotBook.records[p], rec.drainRequestedAt != nil {
            scheduler.setDraining(id)
            agents[id]!.draining = true
            effects.append(.send(conn, .drain(DrainOrder(reason: "pilot \(p) drains", deadline: rec.drainDeadline))))
        }
        requestTick()
    }

    /// A JSON string literal, quotes included, for a journal record's detail.
    static func jsonString(_ s: String) -> String {
        (try? JSONEncoder().encode(s)).map { String(decoding: $0, as: UTF8.self) } ?? "\"\""
    }

    /// A task's old binding, reusable only if the agent still has those slots.
    private func restoredBinding(_ row: TaskRow, agent: Int) -> Binding? {
        guard let b = lastBindings[row.id] else { return nil }
        return b.placements.allSatisfy({ $0.agent == agent }) ? b : nil
    }

    mutating func agentMessage(_ env: AgentEnvelope, from id: Int) {
        guard agents[id] != nil else { return }
        agents[id]!.lastSeen = now
        switch env.type {
        case .started: started(env.started ?? [], from: id)
        case .finished:
            // Starts reported in the same frame come first: a task may have started and not yet ended.
            if let s = env.started { started(s, from: id) }
            finished(env.finished ?? [], from: id)
        case .heartbeat: break
        case .draining:
            agents[id]!.draining = true
            if let d = env.deadline { agents[id]!.deadline = d; scheduler.setDeadline(id, d) }
            scheduler.setDraining(id)
            dirtyAgents.insert(id)
            journal(.agentDraining, agent: id, pilot: agents[id]!.pilot, reason: env.reason)
            log(.info, "agent \(id) drains: \(env.reason ?? "")")
        case .hello: break
        }
        requestTick()
    }

    mutating func started(_ list: [RunningTask], from id: Int) {
        for r in list {
            guard let row = live[r.key.task], row.attempt == r.key.attempt, row.agent == id, row.state == .bound else { continue }
            live[r.key.task]!.startedAt = r.startedAt
            setState(r.key.task, .running)
        }
    }

    mutating func finished(_ list: [TaskOutcome], from id: Int) {
        for o in list {
            acks[id, default: []].append(o.key)
            guard let row = live[o.key.task], row.attempt == o.key.attempt else { continue }
            if row.agent != id {
                // An outcome a dead agent left on its node for the next one: the attempt number
                // names the binding exactly, and its agent is gone, so nothing else will report it.
                guard let other = row.agent, agents[other]?.link == nil else { continue }
            }
            guard row.state == .bound || row.state == .running || row.state == .canceled else { continue }
            release(row.id)
            live[row.id]!.startedAt = o.startedAt ?? row.startedAt
            live[row.id]!.endedAt = o.endedAt
            live[row.id]!.exitCode = o.exitCode
            live[row.id]!.signal = o.signal
            live[row.id]!.result = o.result
            if row.state == .canceled { dirty.insert(row.id); continue }
            let spec = template(of: row)
            if o.kind == .exited, let s = live[row.id]!.startedAt {
                scheduler.observe(runtime: o.endedAt - s, of: spec.request)
            }
            switch o.kind {
            case .exited where o.succeeded:
                finish(row.id, .done, reason: nil)
            case .exited:
                let why = o.timedOut ? "time limit of \(spec.timeLimit.map { "\(Int($0))" } ?? "?") s exceeded"
                    : o.signal.map { "killed by signal \($0)" } ?? "exit code \(o.exitCode ?? -1)"
                failedAttempt(row.id, spec: spec, reason: o.reason.map { "\(why): \($0)" } ?? why)
            case .launchFailed:
                finish(row.id, .failed, reason: "could not start: \(o.reason ?? "unknown error")")
            case .drained:
                requeue(row.id, reason: o.reason ?? "pilot drained before the task ended")
            case .canceled:
                finish(row.id, .canceled, reason: o.reason ?? "canceled")
            }
        }
    }

    /// A failed attempt: retry with exponential backoff while retries remain.
    mutating func failedAttempt(_ id: Int64, spec: TaskSpec, reason: String) {
        let failures = live[id]!.failures + 1
        live[id]!.failures = failures
        if failures <= spec.retries {
            let delay = min(config.retryDelay * Double(1 << min(failures - 1, 20)), config.maxRetryDelay)
            requeue(id, reason: "\(reason); retry \(failures) of \(spec.retries)", delay: delay)
        } else {
            finish(id, .failed, reason: spec.retries > 0 ? "\(reason) (after \(spec.retries) retries)" : reason)
        }
    }

    /// The task was running when its agent died: count a crash, and fail it at the crash limit,
    /// since it may be the task that takes nodes down.
    mutating func crashed(_ id: Int64, reason: String) {
        guard let row = live[id] else { return }
        let spec = template(of: row)
        let crashes = row.crashes + 1
        live[id]!.crashes = crashes
        if crashes >= spec.crashLimit {
            finish(id, .failed, reason: "\(reason); crash limit reached (\(crashes) of \(spec.crashLimit))")
        } else {
            requeue(id, reason: "\(reason) (crash \(crashes) of \(spec.crashLimit))")
        }
    }

    mutating func disconnected(_ id: Int, connection conn: ConnectionID) {
        guard let a = agents[id], a.link == conn else { return }
        agents[id]!.link = nil
        if a.state == .active { agents[id]!.state = .disconnected }
        dirtyAgents.insert(id)
        journal(.agentDisconnected, agent: id, pilot: a.pilot)
        log(.info, "agent \(id) disconnected; lost unless it reconnects within \(Int(config.heartbeatTimeout)) s")
        requestTick()
    }

    /// Declares an agent lost: its tasks go back to the queue and its leases are freed.
    mutating func loseAgent(_ id: Int, reason: String) {
        guard var a = agents[id] else { return }
        log(.warning, "agent \(id) (\(a.hostname)) lost: \(reason)")
        if let l = a.link {
            agentOfConnection[l] = nil
            effects.append(.close(l))
        }
        a.state = .lost
        a.link = nil
        a.scheduled = false
        agents[id] = a
        dirtyAgents.insert(id)
        journal(.agentLost, agent: id, pilot: a.pilot, reason: reason)
        var leases: [Int64: String] = [:]
        for tid in live.keys where live[tid]!.agent == id { if let q = scheduler.binding(of: tid)?.qpu { leases[tid] = q.device } }
        let held = Set(scheduler.removeAgent(id))
        // Includes tasks restored from the store that this agent never came back for.
        let affected = held.union(live.filter { $0.value.agent == id }.map(\.key))
        for tid in affected.sorted() {
            guard let row = live[tid] else { continue }
            if let d = leases[tid] { journal(.leaseReleased, task: tid, attempt: row.attempt, agent: id, state: d, reason: reason) }
            scheduler.release(tid)
            switch row.state {
            // It may have started (and taken the node down) before its start report got out:
            // counting it as a crash keeps a node-killing task from escaping the crash limit.
            case .bound: crashed(tid, reason: "agent \(id) on \(a.hostname) lost while the task was starting (\(reason))")
            case .running: crashed(tid, reason: "agent \(id) on \(a.hostname) lost (\(reason))")
            case .canceled: dirty.insert(tid)
            default: break
            }
        }
    }
}
