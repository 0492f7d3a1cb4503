import Foundation
import PilotCore
import PilotProtocol
import PilotSlurm
import PilotStore

extension ManagerCore {
    // MARK: - Queues

    public func addAllocQueue(_ req: AllocQueueRequest) throws(ManagerError) -> AllocQueueInfo {
        loadPilotsIfNeeded()
        guard (1...1000).contains(req.maxPilots) else { throw ManagerError(.badRequest, "must be between 1 and 1000", field: "max_pilots") }
        if let m = req.minPilots, !(0...req.maxPilots).contains(m) {
            throw ManagerError(.badRequest, "must be between 0 and max_pilots (\(req.maxPilots))", field: "min_pilots")
        }
        if let b = req.backlog, !(1...100).contains(b) { throw ManagerError(.badRequest, "must be between 1 and 100", field: "backlog") }
        if let t = req.idleTimeout, !(t >= 0 && t.isFinite) { throw ManagerError(.badRequest, "must be ≥ 0 seconds", field: "idle_timeout") }
        if let f = req.maxFailures, !(1...100).contains(f) { throw ManagerError(.badRequest, "must be between 1 and 100", field: "max_failures") }
        // Refuse a queue that could never submit, now rather than on the first backlog.
        let path = try profilePath(req.profile)
        do { _ = try ClusterProfile.load(path: path).applying(try Self.profileOverrides(req.overrides)) } catch let e as ProfileError {
            throw ManagerError(.badRequest, e.description, field: "profile", cause: e)
        } catch let e as ManagerError { throw e } catch {
            throw ManagerError(.badRequest, "\(error)", field: "profile", cause: error)
        }
        var stored = req
        stored.profile = path
        let q = AllocQueue(id: pilotBook.autoscale.nextQueueID, request: stored, state: .active, createdAt: now)
        pilotBook.autoscale.nextQueueID += 1
        saveQueue(q)
        log.info("allocation queue \(q.id) added: profile \(path), up to \(req.maxPilots) pilots")
        return queueInfo(q)
    }

    public func allocQueueList() -> [AllocQueueInfo] {
        loadPilotsIfNeeded()
        return pilotBook.autoscale.queues.values.sorted { $0.id < $1.id }.map(queueInfo)
    }

    /// Stops submitting; pilots already running stay until they end or are cancelled.
    public func removeAllocQueue(_ id: Int) throws(ManagerError) -> AllocQueueInfo {
        try setQueue(id) { $0.state = .removed }
    }

    public func resumeAllocQueue(_ id: Int) throws(ManagerError) -> AllocQueueInfo {
        try setQueue(id) { q in
            q.state = .active
            q.failures = 0
            q.reason = nil
        }
    }

    private func setQueue(_ id: Int, _ change: (inout AllocQueue) -> Void) throws(ManagerError) -> AllocQueueInfo {
        loadPilotsIfNeeded()
        guard var q = pilotBook.autoscale.queues[id] else { throw ManagerError(.notFound, "no allocation queue \(id)", field: "id") }
        change(&q)
        saveQueue(q)
        return queueInfo(q)
    }

    func queueInfo(_ q: AllocQueue) -> AllocQueueInfo {
        let pilots = pilotBook.records.values.filter { $0.queue == q.id && !$0.state.isFinal }.map(\.id).sorted()
        return AllocQueueInfo(id: q.id, request: q.request, state: q.state, reason: q.reason, failures: q.failures, pilots: pilots)
    }

    func saveQueue(_ q: AllocQueue) {
        pilotBook.autoscale.queues[q.id] = q
        let params = (try? JSONCoding.encoder().encode(q.request)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        do { try store.saveAllocQueue(AllocQueueRow(id: q.id, params: params, state: q.state.rawValue, reason: q.reason, createdAt: q.createdAt)) } catch {
            log.error("cannot store allocation queue \(q.id): \(error)")
        }
    }

    func loadAllocQueues() {
        let rows: [AllocQueueRow]
        do { rows = try store.allocQueues() } catch { log.error("cannot read allocation queues: \(error)"); return }
        for r in rows {
            guard let req = try? JSONDecoder().decode(AllocQueueRequest.self, from: Data(r.params.utf8)) else { continue }
            pilotBook.autoscale.queues[r.id] = AllocQueue(id: r.id, request: req, state: AllocQueueInfo.State(rawValue: r.state) ?? .paused,
                                                          reason: r.reason, createdAt: r.createdAt)
            pilotBook.autoscale.nextQueueID = max(pilotBook.autoscale.nextQueueID, r.id + 1)
        }
        // Pilots that ended before the restart are not counted again as failures.
        for p in pilotBook.records.values where p.queue != nil && p.state != .submitting && p.state != .pending {
            pilotBook.autoscale.settled.insert(p.id)
        }
    }

    // MARK: - Scaling

    /// One round after each poll: count starts and failures, submit while tasks wait that no
    /// registered agent can take, and cancel pilots idle for longer than the queue allows.
    func autoscale() async {
        for id in pilotBook.autoscale.queues.keys.sorted() {
            guard var q = pilotBook.autoscale.queues[id], q.state == .active else { continue }
            settleStarts(&q)
            if q.state != .active { saveQueue(q); continue }
            let live = pilotBook.records.values.filter { $0.queue == q.id && !$0.state.isFinal }
            let waiting = live.filter { $0.state != .running || pilotInfo($0).agents < $0.nodeCount }.count
            // Bindable tasks were bound in the last tick: what is still queued found no slot.
            let demand = scheduler.queuedCount
            var want = max(0, q.minPilots - live.count)
            if demand > 0 { want = max(want, 1) }
            want = min(want, q.request.maxPilots - live.count, q.backlog - waiting)
            var submitted = 0
            while submitted < want {
                do {
                    _ = try await submitPilot(PilotSubmitRequest(profile: q.request.profile, overrides: q.request.overrides), queue: q.id)
                    submitted += 1
                } catch {
                    q.failures += 1
                    q.reason = "submission refused: \(error.message)"
                    if q.failures >= q.maxFailures { pause(&q) }
                    break
                }
            }
            saveQueueIfChanged(q)
            if demand == 0 { await cancelIdlePilots(of: q, live: live.count) }
        }
    }

    /// A pilot of the queue reached its agents (a start) or ended without running (a failure).
    private func settleStarts(_ q: inout AllocQueue) {
        for p in pilotBook.records.values where p.queue == q.id && !pilotBook.autoscale.settled.contains(p.id) {
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
                log.warning("allocation queue \(q.id): \(q.reason!) (\(q.failures) of \(q.maxFailures) in a row)")
            }
        }
        if q.failures >= q.maxFailures { pause(&q) }
    }

    private func pause(_ q: inout AllocQueue) {
        q.state = .paused
        q.reason = "paused after \(q.failures) failed pilot starts in a row; last: \(q.reason ?? "?") (resume with `pilot alloc resume \(q.id)`)"
        log.error("allocation queue \(q.id) \(q.reason!)")
    }

    private func saveQueueIfChanged(_ q: AllocQueue) {
        let old = pilotBook.autoscale.queues[q.id]
        if old?.state != q.state || old?.failures != q.failures || old?.reason != q.reason { saveQueue(q) }
    }

    private func cancelIdlePilots(of q: AllocQueue, live: Int) async {
        var remaining = live
        let t = now
        for p in pilotBook.records.values.filter({ $0.queue == q.id && $0.state == .running }).sorted(by: { $0.id < $1.id }) {
            let info = pilotInfo(p)
            guard info.agents > 0, info.runningTasks == 0 else { pilotBook.autoscale.idleSince[p.id] = nil; continue }
            let since = pilotBook.autoscale.idleSince[p.id] ?? t
            pilotBook.autoscale.idleSince[p.id] = since
            guard t - since >= q.idleTimeout, remaining > q.minPilots else { continue }
            log.info("allocation queue \(q.id): pilot \(p.id) idle for \(Int(t - since)) s; cancelling it")
            pilotBook.autoscale.idleSince[p.id] = nil
            if (try? await cancelPilot(p.id)) != nil { remaining -= 1 }
        }
    }
}
