import Foundation
import PilotCore
import PilotProtocol
import PilotStore

/// Allocation queues: pilots submitted while tasks wait that no registered agent can take, and
/// cancelled when idle. Each decision is journaled (`alloc_decision`).
extension ManagerReactor {
    // MARK: - Queues

    /// `req.profile` is an absolute path the shell has checked loads and accepts the overrides.
    mutating func addAllocQueue(_ req: AllocQueueRequest, shape: PilotShape? = nil) throws(ManagerError) -> AllocQueueInfo {
        guard (1...1000).contains(req.maxPilots) else { throw ManagerError(.badRequest, "must be between 1 and 1000", field: "max_pilots") }
        if let m = req.minPilots, !(0...req.maxPilots).contains(m) {
            throw ManagerError(.badRequest, "must be between 0 and max_pilots (\(req.maxPilots))", field: "min_pilots")
        }
        if let b = req.backlog, !(1...100).contains(b) { throw ManagerError(.badRequest, "must be between 1 and 100", field: "backlog") }
        if let t = req.idleTimeout, !(t >= 0 && t.isFinite) { throw ManagerError(.badRequest, "must be ≥ 0 seconds", field: "idle_timeout") }
        if let f = req.maxFailures, !(1...100).contains(f) { throw ManagerError(.badRequest, "must be between 1 and 100", field: "max_failures") }
        var q = AllocQueue(id: pilotBook.autoscale.nextQueueID, request: req, state: .active, createdAt: now)
        q.shape = shape
        pilotBook.autoscale.nextQueueID += 1
        saveQueue(q)
        log(.info, "allocation queue \(q.id) added: profile \(req.profile) on cluster \(queueCluster(q)), up to \(req.maxPilots) pilots")
        return queueInfo(q)
    }

    mutating func setQueue(_ id: Int, _ change: (inout AllocQueue) -> Void) throws(ManagerError) -> AllocQueueInfo {
        guard var q = pilotBook.autoscale.queues[id] else { throw ManagerError(.notFound, "no allocation queue \(id)", field: "id") }
        change(&q)
        saveQueue(q)
        return queueInfo(q)
    }

    func queueInfo(_ q: AllocQueue) -> AllocQueueInfo {
        let pilots = pilotBook.records.values.filter { $0.queue == q.id && !$0.state.isFinal }.map(\.id).sorted()
        var info = AllocQueueInfo(id: q.id, request: q.request, state: q.state, reason: q.reason, failures: q.failures, pilots: pilots)
        info.cluster = queueCluster(q)
        info.coresPerNode = q.shape?.coresPerNode
        info.gpusPerNode = q.shape?.gpusPerNode
        return info
    }

    func queueCluster(_ q: AllocQueue) -> String { q.shape?.cluster?.name ?? config.pilots.defaultClusterName }

    public func allocQueueList() -> [AllocQueueInfo] {
        pilotBook.autoscale.queues.values.sorted { $0.id < $1.id }.map(queueInfo)
    }

    mutating func saveQueue(_ q: AllocQueue) {
        let old = pilotBook.autoscale.queues[q.id]
        pilotBook.autoscale.queues[q.id] = q
        let params = AllocQueue.params(q)
        batch.allocQueues.append(AllocQueueRow(id: q.id, params: params, state: q.state.rawValue, reason: q.reason, createdAt: q.createdAt))
        if old?.state != q.state {
            journal(.allocDecision, state: q.state.rawValue, reason: q.reason, detail: #"{"queue":\#(q.id),"action":"\#(q.state.rawValue)"}"#)
        }
    }

    // MARK: - Scaling

    /// One round after each poll: count starts and failures, submit while tasks wait that no
    /// registered agent can take, and cancel pilots idle for longer than the queue allows.
    mutating func autoscale() {
        var queuedDemand: [PilotShape?: Int] = [:]
        for id in pilotBook.autoscale.queues.keys.sorted() {
            guard var q = pilotBook.autoscale.queues[id], q.state == .active else { continue }
            settleStarts(&q)
            if q.state != .active { saveQueue(q); continue }
            let live = pilotBook.records.values.filter { $0.queue == q.id && !$0.state.isFinal }
            let waiting = live.filter { $0.state != .running || pilotInfo($0).agents < $0.nodeCount }.count
            // Bindable tasks were bound in the last tick: what is still queued found no slot. Only
            // tasks this queue's nodes could hold count, so a GPU task waits for a GPU queue.
            let demand = queuedDemand[q.shape] ?? queuedTasks(holdableBy: q.shape, in: &queuedDemand)
            var want = max(0, q.minPilots - live.count)
            if demand > 0 { want = max(want, 1) }
            want = min(want, q.request.maxPilots - live.count, q.backlog - waiting)
            for _ in 0..<max(0, want) {
                let pilot = reservePilotID()
                let name = URL(fileURLWithPath: q.request.profile).deletingPathExtension().lastPathComponent
                let cluster = q.shape?.cluster
                let prepared = PreparedPilot(pilot: pilot, profilePath: q.request.profile, profileName: name,
                                             nodes: q.request.overrides?.nodes ?? q.shape?.nodes ?? 1, overrides: q.request.overrides,
                                             requestJSON: Self.requestJSON(path: q.request.profile, overrides: q.request.overrides, cluster: cluster),
                                             shape: q.shape ?? PilotShape())
                var detail = #"{"queue":\#(q.id),"action":"submit","cluster":"#
                JSONLiteral.appendString(queueCluster(q), to: &detail)
                journal(.allocDecision, pilot: pilot, state: "submit",
                        reason: "\(demand) tasks wait that no agent can take and its nodes can hold", detail: detail + "}")
                startPilot(prepared, queue: q.id)
            }
            saveQueueIfChanged(q)
            if demand == 0 { cancelIdlePilots(of: q, live: live.count) }
        }
    }

    /// Queued tasks a pilot of `shape` could hold (all of them for a queue without a shape),
    /// remembered per shape for the rest of the round.
    func queuedTasks(holdableBy shape: PilotShape?, in memo: inout [PilotShape?: Int]) -> Int {
        let key = shape.map { $0 }
        let n = shape.map { s in scheduler.queuedByRequest.reduce(0) { $0 + (s.canHold($1.key) ? $1.value : 0) } } ?? scheduler.queuedCount
        memo[key] = n
        return n
    }

    /// A pilot of the queue that Slurm refused counts as a failed start.
    mutating func queueSubmissionFailed(_ queue: Int, _ message: String) {
        guard var q = pilotBook.autoscale.queues[queue] else { return }
        q.failures += 1
        q.reason = "submission refused: \(message)"
        if q.failures >= q.maxFailures { pause(&q) }
        saveQueue(q)
    }

    /// A pilot of the queue reached its agents (a start) or ended without running (a failure).
    private mutating func settleStarts(_ q: inout AllocQueue) {
        for p in pilotBook.records.values.sorted(by: { $0.id < $1.id }) where p.queue == q.id && !pilotBook.autoscale.settled.contains(p.id) {
            if p.state == .running, pilotInfo(p).agents > 0 {
                pilotBook.autoscale.settled.insert(p.id)
                q.failures = 0
                q.reason = nil
            } else if p.state.isFinal {
                // Ended before any agent registered; a cancel is the user's choice, not a failure.
                pilotBook.autoscale.settled.insert(p.id)
                guard p.state != .cancelled else { continue }
                q.failures += 1
                q.reason = "pilot \(p.id) failed to start: \(p.state.rawValue)\(p.reason.map { ", \($0)" } ?? "")"
                log(.warning, "allocation queue \(q.id): \(q.reason!) (\(q.failures) of \(q.maxFailures) in a row)")
            }
        }
        if q.failures >= q.maxFailures { pause(&q) }
    }

    private mutating func pause(_ q: inout AllocQueue) {
        q.state = .paused
        q.reason = "paused after \(q.failures) failed pilot starts in a row; last: \(q.reason ?? "?") (resume with `pilot alloc resume \(q.id)`)"
        log(.error, "allocation queue \(q.id) \(q.reason!)")
    }

    private mutating func saveQueueIfChanged(_ q: AllocQueue) {
        let old = pilotBook.autoscale.queues[q.id]
        if old?.state != q.state || old?.failures != q.failures || old?.reason != q.reason { saveQueue(q) }
    }

    private mutating func cancelIdlePilots(of q: AllocQueue, live: Int) {
        var remaining = live
        for p in pilotBook.records.values.filter({ $0.queue == q.id && $0.state == .running }).sorted(by: { $0.id < $1.id }) {
            let info = pilotInfo(p)
            guard info.agents > 0, info.runningTasks == 0 else { pilotBook.autoscale.idleSince[p.id] = nil; continue }
            let since = pilotBook.autoscale.idleSince[p.id] ?? now
            pilotBook.autoscale.idleSince[p.id] = since
            guard now - since >= q.idleTimeout, remaining > q.minPilots, let job = p.jobID else { continue }
            log(.info, "allocation queue \(q.id): pilot \(p.id) idle for \(Int(now - since)) s; cancelling it")
            pilotBook.autoscale.idleSince[p.id] = nil
            journal(.allocDecision, pilot: p.id, state: "cancel", reason: "idle for \(Int(now - since)) s",
                    detail: #"{"queue":\#(q.id),"action":"cancel"}"#)
            stopScheduling(pilot: p.id)
            effects.append(.slurm(.cancel(pilot: p.id, job: job, cluster: p.cluster, reply: nil)))
            remaining -= 1
        }
    }
}
