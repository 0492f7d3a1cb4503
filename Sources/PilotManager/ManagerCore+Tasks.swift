import Foundation
import PilotCore
import PilotProtocol
import PilotStore

extension ManagerCore {
    /// Largest submission accepted in one call.
    static let maxTasksPerSubmit = 2_000_000

    /// `stage` ties a workflow stage's tasks to their stage indices, stored with them (see `StageTaskLink`).
    public func submit(_ req: SubmitRequest, stage: StageTaskLink? = nil) throws(ManagerError) -> SubmitResponse {
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
                groups.append((t, nil))
            }
        }
        if let a = req.array {
            try check(a.template, field: "array.template")
            let range: ArrayRange
            do { range = try ArrayRange(a.range) } catch { throw ManagerError(.badRequest, error.message, field: "array.range") }
            groups.append((a.template, range.indices))
        }
        guard !groups.isEmpty else { throw ManagerError(.badRequest, "nothing to submit: give `tasks` or `array`", field: "tasks") }
        let first = nextTaskID
        let total = groups.reduce(0) { $0 + ($1.indices?.count ?? 1) }
        // One growth step instead of log2(n) rehashes, each holding the old and the new table at once.
        live.reserveCapacity(live.count + total)
        // Rows go straight into the live table as the store writes them (a million-member array is
        // never held twice); they are scheduled only once the transaction has committed.
        var specIDs: [Int64] = []
        var lastSpecID: Int64 = -1
        let count: Int
        do {
            count = try store.insert(specs: groups, firstID: first, submittedAt: now, workflow: req.workflow, workload: req.workload,
                                     stage: stage) { r in
                if r.specID != lastSpecID { specIDs.append(r.specID); lastSpecID = r.specID }
                live[r.id] = r
            }
        } catch {
            for id in first..<(first + Int64(total)) { live[id] = nil }
            throw ManagerError(.internal, "could not store the submission", cause: error)
        }
        nextTaskID = first + Int64(count)
        // Map each stored template id back to its spec, in insertion order.
        var id = first
        for (gi, specID) in specIDs.enumerated() {
            let s = groups[gi].spec
            specs[specID] = s
            let n = groups[gi].indices?.count ?? 1
            specRefs[specID, default: 0] += n
            counts[.ready, default: 0] += n
            for _ in 0..<n {
                scheduler.enqueue(id, request: s.request, priority: s.priority, time: s.timeRequest)
                id += 1
            }
        }
        requestTick()
        return SubmitResponse(first: first, count: count)
    }

    private func check(_ t: TaskSpec, field: String) throws(ManagerError) {
        do { try t.validate() } catch {
            throw ManagerError(.badRequest, error.message, field: error.field.map { "\(field).\($0)" } ?? field)
        }
        // Only meaningful once some agent is registered: before that, pilots may still come.
        if scheduler.agentCount > 0, !scheduler.couldEverFit(t.request) {
            throw ManagerError(.unsatisfiable, "no registered agent can ever run this request (\(describe(t.request))); largest node: \(largestNode())", field: field)
        }
        if let q = t.request.qpu, !config.devices.isEmpty {
            let ok = config.devices.contains { d in (q.device == nil || q.device == d.name) && d.qubits >= q.minQubits && d.slots >= q.count }
            guard ok else {
                throw ManagerError(.unsatisfiable, "no QPU device matches '\(q.text)' (devices: \(config.devices.map(\.name).joined(separator: ", ")))", field: "\(field).qpu")
            }
        }
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

    public func cancel(_ ids: [Int64]) -> [Int64] {
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

    // MARK: - Queries

    public func summary() -> Summary {
        var c: [String: Int] = [:]
        for (s, n) in counts where n > 0 { c[s.rawValue] = n }
        return Summary(counts: c, agents: agents.values.filter { $0.state == .active }.count, version: config.version, startedAt: startedAt)
    }

    public func taskInfo(_ id: Int64, full: Bool = true) throws(ManagerError) -> TaskInfo {
        let row: TaskRow
        if let r = live[id] { row = r } else {
            do {
                guard let r = try store.task(id) else { throw ManagerError(.notFound, "no task \(id)") }
                row = r
            } catch let e as ManagerError { throw e } catch { throw ManagerError(.internal, "cannot read task \(id)", cause: error) }
        }
        var info = info(row)
        if full {
            let spec = specs[row.specID].map { s in row.arrayIndex.map { s.instantiated(index: $0) } ?? s }
                ?? (try? store.spec(row.specID)).flatMap { $0 }.map { s in row.arrayIndex.map { s.instantiated(index: $0) } ?? s }
            info.spec = spec
            info.binding = row.binding
            info.result = row.result
            info.history = ((try? store.events(task: id)) ?? []).map {
                TaskEvent(at: $0.at, state: $0.state, attempt: $0.attempt, agent: $0.agent, reason: $0.reason)
            }
            let logs = logPaths(id, attempt: row.attempt)
            info.stdoutPath = logs.stdout
            info.stderrPath = logs.stderr
        }
        return info
    }

    func info(_ row: TaskRow) -> TaskInfo {
        TaskInfo(id: row.id, name: row.name, state: row.state, attempt: row.attempt, crashes: row.crashes, agent: row.agent,
                 hostname: row.agent.flatMap { agents[$0]?.hostname }, priority: row.priority, exitCode: row.exitCode,
                 signal: row.signal, reason: row.reason, submittedAt: row.submittedAt, startedAt: row.startedAt, endedAt: row.endedAt)
    }

    /// Where agents write task output: `<server dir>/logs/<id>.<attempt>.out|err` (shared file system).
    public nonisolated func logPaths(_ id: Int64, attempt: Int) -> (stdout: String, stderr: String) {
        let base = "\(config.serverDir)/logs/\(id).\(attempt)"
        return (base + ".out", base + ".err")
    }

    public func list(state: TaskState?, after: Int64, limit: Int, workflow: Int64? = nil) throws(ManagerError) -> [TaskInfo] {
        // Commit first so the listing reflects every change already reported.
        try? commit()
        do {
            return try store.tasks(state: state, after: after, limit: min(max(limit, 1), 100_000), workflow: workflow).map { row in
                live[row.id].map(info) ?? info(row)
            }
        } catch { throw ManagerError(.internal, "cannot list tasks", cause: error) }
    }

    public func agentList() -> [AgentInfo] {
        agents.values.sorted { $0.id < $1.id }.map { a in
            let u = scheduler.usage(of: a.id)
            var info = AgentInfo(id: a.id, uuid: a.uuid, hostname: a.hostname, pilot: a.pilot,
                                 state: a.draining && a.state == .active ? "draining" : a.state.rawValue,
                                 cores: a.resources.coreCount, freeCores: u?.freeCores ?? 0, gpus: a.resources.gpus.count,
                                 freeGPUs: u?.freeGPUs ?? 0, tasks: u?.tasks ?? 0, deadline: a.deadline, lastSeen: a.lastSeen,
                                 resources: a.resources)
            info.registeredAt = a.registeredAt
            return info
        }
    }

    // MARK: - Waiting

    public func wait(ids: [Int64], timeout: Double) async -> WaitResponse {
        let r = waitResponse(for: ids)
        if r.finished || timeout <= 0 || stopping { return r }
        return await withCheckedContinuation { c in
            waiters.append(Waiter(ids: ids, deadline: now + min(timeout, 60), continuation: c))
        }
    }

    func waitResponse(for ids: [Int64]) -> WaitResponse {
        let s = summary()
        if ids.isEmpty {
            return WaitResponse(finished: s.terminal == s.total, summary: s, failed: s.count(.failed) + s.count(.canceled))
        }
        var finished = true
        var failed = 0
        for id in ids {
            if let r = live[id] {
                if !r.state.isTerminal { finished = false; break }
                if r.state != .done { failed += 1 }
            }
        }
        if finished {
            // Terminal tasks left memory: count failures from the store.
            let gone = ids.filter { live[$0] == nil }
            if !gone.isEmpty, let n = try? failedCount(gone) { failed += n }
        }
        return WaitResponse(finished: finished, summary: s, failed: failed)
    }

    private func failedCount(_ ids: [Int64]) throws -> Int { try store.countNotDone(ids) }

    func resolveWaiters(now t: Double? = nil) {
        guard !waiters.isEmpty else { return }
        let t = t ?? now
        var keep: [Waiter] = []
        for w in waiters {
            let r = waitResponse(for: w.ids)
            if r.finished || t >= w.deadline { w.continuation.resume(returning: r) } else { keep.append(w) }
        }
        waiters = keep
    }
}
