import PilotCore
import PilotProtocol
import PilotStore

extension ManagerReactor {
    /// Largest submission accepted in one call.
    static let maxTasksPerSubmit = 2_000_000

    /// `stage` ties a workflow stage's tasks to their stage indices, stored with them (see `StageTaskLink`).
    mutating func submit(_ req: SubmitRequest, stage: StageTaskLink? = nil) throws(ManagerError) -> SubmitResponse {
        if let v = req.v, v > WireVersion.current {
            throw ManagerError(.badRequest, "request version \(v) is newer than this manager's \(WireVersion.current)", field: "v")
        }
        var groups: [(spec: TaskSpec, indices: [Int]?)] = []
        if let list = req.tasks {
            guard list.count <= Self.maxTasksPerSubmit else {
                throw ManagerError(.tooLarge, "\(list.count) tasks in one request; the limit is \(Self.maxTasksPerSubmit)", field: "tasks")
            }
            for (i, t) in list.enumerated() {
                try check(t, field: "tasks[\(i)]")
                try checkDependencies(t, field: "tasks[\(i)]", first: nextTaskID, own: nextTaskID + Int64(i))
                groups.append((t, nil))
            }
        }
        if let a = req.array {
            try check(a.template, field: "array.template")
            try checkDependencies(a.template, field: "tasks[0]", first: nextTaskID, own: nextTaskID)
            let range: ArrayRange
            do { range = try ArrayRange(a.range) } catch { throw ManagerError(.badRequest, error.message, field: "array.range") }
            groups.append((a.template, range.indices))
        }
        guard !groups.isEmpty else { throw ManagerError(.badRequest, "nothing to submit: give `tasks` or `array`", field: "tasks") }
        let first = nextTaskID
        let total = groups.reduce(0) { $0 + ($1.indices?.count ?? 1) }
        // One growth step instead of log2(n) rehashes, each holding the old and the new table at once.
        live.reserveCapacity(live.count + total)
        batch.newTasks.reserveCapacity(batch.newTasks.count + total)
        var id = first
        var k = 0
        var held: [(Int64, Set<Int64>)] = []
        var failedAtOnce: [(Int64, String)] = []
        for (spec, indices) in groups {
            let specID = nextSpecID
            nextSpecID += 1
            specs[specID] = spec
            batch.newSpecs.append(StoredSpec(id: specID, spec: spec))
            let n = indices?.count ?? 1
            specRefs[specID, default: 0] += n
            let gate = dependencyGate(spec)
            let state: TaskState = if case .wait = gate { .new } else { .ready }
            counts[state, default: 0] += n
            for index in indices ?? [-1] {
                let arrayIndex = index >= 0 ? index : nil
                var r = TaskRow(id: id, specID: specID, arrayIndex: arrayIndex, name: arrayIndex.map { spec.memberName(index: $0) } ?? spec.name,
                                priority: spec.priority, state: state, submittedAt: now)
                r.workflow = req.workflow
                r.workload = req.workload
                r.stageIndex = stage.flatMap { k < $0.indices.count ? $0.indices[k] : nil }
                live[id] = r
                batch.newTasks.append(r)
                switch gate {
                case .ready: scheduler.enqueue(id, request: spec.request, priority: spec.priority, time: spec.timeRequest, estimates: spec.qpuEstimates)
                case .wait(let pending): held.append((id, pending))
                case .fail(let why): failedAtOnce.append((id, why))
                }
                id += 1
                k += 1
            }
        }
        nextTaskID = first + Int64(total)
        journal(.taskSubmitted, task: first, taskEnd: total > 1 ? first + Int64(total) - 1 : nil, attempt: 0,
                workflow: req.workflow, workload: req.workload)
        for (t, pending) in held {
            dependencies.waitingOn[t] = pending
            for d in pending { dependencies.dependents[d, default: []].append(t) }
            journal(.taskWaiting, task: t, attempt: 0, reason: "waiting for \(pending.sorted().map(String.init).joined(separator: ","))")
        }
        for (t, why) in failedAtOnce { finish(t, .failed, reason: why) }
        if let plan = stage?.fanOutPlan, let w = req.workload { batch.workloadChanges.append(WorkloadChange(id: w, plan: plan)) }
        requestTick()
        return SubmitResponse(first: first, count: total)
    }

    private func check(_ t: TaskSpec, field: String) throws(ManagerError) {
        do { try t.validate() } catch {
            throw ManagerError(.badRequest, error.message, field: error.field.map { "\(field).\($0)" } ?? field)
        }
        if let p = t.request.pilot { try checkPilot(p, field: "\(field).pilot") }
        // The manager's devices are fixed at its start: a QPU request none of them matches can never run.
        if let q = t.request.qpu {
            guard config.devices.contains(where: q.couldUse) else {
                let known = config.devices.isEmpty ? "this manager has no QPU devices configured" : "devices: \(config.devices.map(\.name).joined(separator: ", "))"
                throw ManagerError(.unsatisfiable, "no QPU device matches '\(q.text)' (\(known))", field: "\(field).qpu")
            }
        }
        // Only meaningful once some agent is registered: before that, pilots may still come. A task
        // pinned to a pilot whose agents have not registered yet waits for them instead.
        let pilotAgentsHere = t.request.pilot.map { p in agents.values.contains { $0.pilot == p && $0.scheduled } } ?? true
        if scheduler.agentCount > 0, pilotAgentsHere, !scheduler.couldEverFit(t.request) {
            throw ManagerError(.unsatisfiable, "no registered agent can ever run this request (\(describe(t.request))); largest node: \(largestNode())", field: field)
        }
    }

    /// A task pinned to a pilot: a name the manager has never heard of is a typo, refused at once, and
    /// so is a pilot that has ended, which can never run it. A pilot still pending in Slurm, or whose
    /// agents are registered, takes the task, which waits (as a Dask task restricted to named
    /// workers does) until a slot of that pilot is free.
    private func checkPilot(_ name: String, field: String) throws(ManagerError) {
        let pilotAgents = agents.values.filter { $0.pilot == name }
        if pilotAgents.contains(where: { $0.state == .active || $0.state == .disconnected }) {
            if let rec = pilotBook.records[name], rec.ended {
                throw ManagerError(.unsatisfiable, "pilot '\(name)' has ended (\(rec.state.rawValue)); submit to a running pilot or without 'pilot'", field: field)
            }
            return
        }
        if let rec = pilotBook.records[name] {
            guard rec.ended || rec.state.isFinal else { return }
            throw ManagerError(.unsatisfiable, "pilot '\(name)' has ended (\(rec.state.rawValue)); submit to a running pilot or without 'pilot'", field: field)
        }
        if !pilotAgents.isEmpty {
            throw ManagerError(.unsatisfiable, "pilot '\(name)' has ended: none of its agents is registered any more", field: field)
        }
        let known = Set(pilotBook.records.values.filter { !$0.ended && !$0.state.isFinal }.map(\.id))
            .union(agents.values.filter { $0.state == .active || $0.state == .disconnected }.compactMap(\.pilot)).sorted()
        throw ManagerError(.unsatisfiable, "no pilot '\(name)'" + (known.isEmpty ? " (the manager knows no pilot)" : " (pilots: \(known.prefix(20).joined(separator: ", ")))"),
                           field: field)
    }

    /// Tasks waiting for a pilot that has just ended can never run: they fail, naming it.
    mutating func failTasksPinned(to pilot: String, because why: String) {
        var ended: [Int64] = []
        for (id, row) in live where row.state == .ready || row.state == .new {
            guard spec(of: row).request.pilot == pilot else { continue }
            ended.append(id)
        }
        for id in ended.sorted() {
            scheduler.withdraw(id)
            finish(id, .failed, reason: "pilot \(pilot) ended (\(why)) before the task could run on it")
        }
        if !ended.isEmpty { requestTick() }
    }

    private func describe(_ r: ResourceRequest) -> String {
        var s = "\(r.nodes) node(s) × \(r.coresPerNode) cores"
        if r.gpusPerNode > 0 { s += ", \(r.gpusPerNode) GPUs" }
        if r.memoryBytes > 0 { s += ", \(r.memoryBytes >> 20) MiB" }
        for c in r.custom { s += ", \(c.name)=\(c.amount)" }
        return s
    }

    private func largestNode() -> String {
        guard let a = agents.values.filter({ $0.scheduled }).max(by: { $0.resources.coreCount < $1.resources.coreCount }) else { return "none" }
        return "\(a.hostname) with \(a.resources.coreCount) cores, \(a.resources.gpus.count) GPUs"
    }

    mutating func cancel(_ ids: [Int64]) -> [Int64] {
        var done: [Int64] = []
        for id in ids {
            guard let row = live[id], !row.state.isTerminal else { continue }
            switch row.state {
            case .new, .ready:
                scheduler.withdraw(id)
                finish(id, .canceled, reason: "canceled by user")
            case .bound, .running:
                // Slots stay held until the agent confirms the process is gone.
                if let b = row.binding { for p in b.placements.prefix(1) { cancels[p.agent, default: []].append(TaskKey(task: id, attempt: row.attempt)) } }
                finish(id, .canceled, reason: "canceled by user")
            default: continue
            }
            done.append(id)
        }
        if !done.isEmpty { requestTick() }
        return done
    }

    // MARK: - Waiting

    mutating func wait(ids: [Int64], timeout: Double, reply: ReplyID) {
        let (r, gone) = waitResponse(for: ids)
        if r.finished || timeout <= 0 || stopping {
            pendingReplies.append((reply, .wait(r, uncounted: gone)))
            return
        }
        waiters.append(Waiter(ids: ids, deadline: now + min(timeout, 60), reply: reply))
    }

    /// The answer for `ids`, and those of them that ended and left memory: the shell counts their
    /// failures from the store.
    func waitResponse(for ids: [Int64]) -> (WaitResponse, [Int64]) {
        let s = summary()
        if ids.isEmpty {
            return (WaitResponse(finished: s.terminal == s.total, summary: s, failed: s.count(.failed) + s.count(.canceled)), [])
        }
        var finished = true
        var failed = 0
        for id in ids {
            if let r = live[id] {
                if !r.state.isTerminal { finished = false; break }
                if r.state != .done { failed += 1 }
            }
        }
        let gone = finished ? ids.filter { live[$0] == nil } : []
        return (WaitResponse(finished: finished, summary: s, failed: failed), gone)
    }

    mutating func resolveWaiters() {
        guard !waiters.isEmpty else { return }
        var keep: [Waiter] = []
        for w in waiters {
            let (r, gone) = waitResponse(for: w.ids)
            if r.finished || now >= w.deadline { pendingReplies.append((w.reply, .wait(r, uncounted: gone))) } else { keep.append(w) }
        }
        waiters = keep
    }
}
