import Foundation
import PilotCore
import PilotProtocol
import PilotSlurm
import PilotStore

/// Pilots: Slurm jobs whose agents register here. The reactor keeps their records and decides;
/// the shell's Slurm worker renders, submits, cancels and polls, and reports back as events.
extension ManagerReactor {
    // MARK: - Submit

    /// The next pilot's name, reserved so the shell can render its job script.
    mutating func reservePilotID() -> String {
        defer { pilotBook.nextNumber += 1 }
        return "p\(pilotBook.nextNumber)"
    }

    /// The pilot is stored as `submitting` before the Slurm request leaves (the request follows the
    /// persist), so a manager that dies mid-submit still knows a job may exist under that name.
    /// The reply waits for Slurm's answer (`slurmSubmitted`).
    mutating func submitPilot(_ p: PreparedPilot, reply: ReplyID) {
        guard pilotBook.records[p.pilot] == nil else {
            pendingReplies.append((reply, .failed(ManagerError(.badRequest, "pilot \(p.pilot) exists already", field: "pilot"))))
            return
        }
        pilotBook.submissions[p.pilot] = reply
        startPilot(p, queue: nil)
    }

    mutating func startPilot(_ p: PreparedPilot, queue: Int?) {
        var rec = PilotRecord(id: p.pilot, profile: p.profileName, state: .submitting, nodeCount: p.nodes, submittedAt: now,
                              request: p.requestJSON, queue: queue)
        rec.cluster = p.shape.cluster
        savePilot(rec)
        flushBatch()
        effects.append(.slurm(.submit(p)))
    }

    mutating func slurmSubmitted(_ id: String, _ result: Result<SlurmJobID, SlurmError>) {
        guard var rec = pilotBook.records[id] else { return }
        switch result {
        case .success(let job):
            rec.jobID = job
            if rec.state == .submitting { rec.state = .pending }
            savePilot(rec)
            log(.info, "pilot \(id) submitted as Slurm job \(job) on cluster \(clusterName(rec)) (profile \(rec.profile), \(rec.nodeCount) nodes)")
            if let r = pilotBook.submissions.removeValue(forKey: id) { pendingReplies.append((r, .pilot(pilotInfo(rec)))) }
        case .failure(let e):
            rec.state = .failed
            rec.ended = true
            rec.endedAt = now
            rec.reason = "Slurm refused the job: \(e.slurmErrorText ?? e.message)"
            savePilot(rec)
            log(.error, "pilot \(id): \(rec.reason!)")
            if let r = pilotBook.submissions.removeValue(forKey: id) {
                let code: ManagerError.Code = e.code == .submitFailed || e.code == .invalidRequest ? .badRequest : .unavailable
                pendingReplies.append((r, .failed(ManagerError(code, "pilot \(id) (profile \(rec.profile)): Slurm refused the job: \(e)", cause: e))))
            }
            if let q = rec.queue {
                pilotBook.autoscale.settled.insert(id)
                queueSubmissionFailed(q, e.slurmErrorText ?? e.message)
            }
        }
    }

    /// The stored submission; `cluster` lets a restarted manager track the job where it runs.
    static func requestJSON(path: String, overrides: PilotOverrides?, cluster: SlurmCluster? = nil) -> String? {
        struct Stored: Encodable { var profile: String; var overrides: PilotOverrides?; var cluster: SlurmCluster? }
        return (try? JSONCoding.encoder().encode(Stored(profile: path, overrides: overrides, cluster: cluster)))
            .map { String(decoding: $0, as: UTF8.self) }
    }

    /// `{"cluster":"NAME"}`, the detail of a pilot's journal records.
    func clusterDetail(_ p: PilotRecord) -> String {
        var detail = #"{"cluster":"#
        JSONLiteral.appendString(clusterName(p), to: &detail)
        return detail + "}"
    }

    /// The cluster's `ClusterName`, the manager's own for pilots without `cluster:`.
    func clusterName(_ p: PilotRecord) -> String { p.cluster?.name ?? config.pilots.defaultClusterName }

    // MARK: - Cancel, drain and list

    mutating func cancelPilot(_ id: String, reply: ReplyID) {
        guard let rec = pilotBook.records[id] else {
            pendingReplies.append((reply, .failed(ManagerError(.notFound, "no pilot \(id)", field: "id"))))
            return
        }
        if rec.state.isFinal { pendingReplies.append((reply, .pilot(pilotInfo(rec)))); return }
        guard let job = rec.jobID else {
            pendingReplies.append((reply, .failed(ManagerError(.unavailable, "pilot \(id) is still being submitted; cancel it again in a moment"))))
            return
        }
        stopScheduling(pilot: id)
        effects.append(.slurm(.cancel(pilot: id, job: job, cluster: rec.cluster, reply: reply)))
    }

    /// Nothing new goes to a pilot that is going away.
    mutating func stopScheduling(pilot id: String) {
        for aid in agents.keys.sorted() where agents[aid]!.pilot == id && agents[aid]!.scheduled { scheduler.setDraining(aid) }
    }

    mutating func slurmCancelled(_ id: String, error: SlurmError?, reply: ReplyID?) {
        let job = pilotBook.records[id]?.jobID.map { "\($0)" } ?? "?"
        if let error {
            log(.warning, "cancelling pilot \(id) (Slurm job \(job)) failed: \(error)")
            if let reply {
                effects.append(.reply(reply, .failed(ManagerError(.unavailable, "cancelling pilot \(id) (Slurm job \(job)) failed: \(error)", cause: error))))
            }
            return
        }
        log(.info, "pilot \(id) (Slurm job \(job)) cancelled on request")
        journal(.pilotState, pilot: id, state: "cancel_requested", detail: pilotBook.records[id].map(clusterDetail))
        if let reply, let rec = pilotBook.records[id] { pendingReplies.append((reply, .pilot(pilotInfo(rec)))) }
    }

    /// Every agent of the pilot stops taking tasks and lets its running ones go on until the
    /// deadline. The job script calls this (through `pilot pilots drain`) when Slurm's walltime
    /// warning reaches the batch shell: Slurm's signal itself would also hit every task.
    mutating func drainPilot(_ id: String, _ req: PilotDrainRequest) throws(ManagerError) -> PilotInfo {
        guard var rec = pilotBook.records[id] else { throw ManagerError(.notFound, "no pilot \(id)", field: "id") }
        if let d = req.deadline, !d.isFinite || d < 0 {
            throw ManagerError(.badRequest, "deadline must be Unix seconds", field: "deadline")
        }
        if rec.state.isFinal { return pilotInfo(rec) }
        let reason = String((req.reason ?? "drain requested").prefix(200))
        // Without a deadline the allocation's end is meant (each agent also bounds it by the end it
        // knows). A later request never extends an earlier deadline.
        let deadline = [req.deadline ?? rec.walltimeEnd, rec.drainDeadline].compactMap { $0 }.min()
        rec.drainRequestedAt = rec.drainRequestedAt ?? now
        rec.drainDeadline = deadline
        pilotBook.records[id] = rec
        journal(.pilotDrain, pilot: id, reason: reason, detail: deadline.map { #"{"deadline":\#($0)}"# })
        var told = 0
        for aid in agents.keys.sorted() {
            let a = agents[aid]!
            guard a.pilot == id, a.scheduled else { continue }
            scheduler.setDraining(aid)
            agents[aid]!.draining = true
            if let d = deadline { scheduler.setDeadline(aid, min(d, a.deadline ?? d)) }
            dirtyAgents.insert(aid)
            if let l = a.link { effects.append(.send(l, .drain(DrainOrder(reason: reason, deadline: deadline)))); told += 1 }
        }
        log(.info, "pilot \(id) drains (\(reason)); deadline \(deadline.map { "\($0)" } ?? "each agent's walltime end"); \(told) agents told")
        requestTick()
        return pilotInfo(rec)
    }

    /// Every connected agent stops taking tasks, lets its running ones end until the deadline, and
    /// then exits: how a manager is stopped together with what it started.
    mutating func drainAgents(_ req: PilotDrainRequest) throws(ManagerError) -> Int {
        if let d = req.deadline, !d.isFinite || d < 0 {
            throw ManagerError(.badRequest, "deadline must be Unix seconds", field: "deadline")
        }
        let reason = String((req.reason ?? "the manager is stopping").prefix(200))
        var told = 0
        for aid in agents.keys.sorted() {
            let a = agents[aid]!
            guard let l = a.link else { continue }
            if a.scheduled {
                scheduler.setDraining(aid)
                if let d = req.deadline { scheduler.setDeadline(aid, min(d, a.deadline ?? d)) }
            }
            agents[aid]!.draining = true
            dirtyAgents.insert(aid)
            effects.append(.send(l, .drain(DrainOrder(reason: reason, deadline: req.deadline))))
            told += 1
        }
        journal(.pilotDrain, reason: reason, detail: req.deadline.map { #"{"deadline":\#($0),"agents":"all"}"# })
        log(.info, "all agents drain (\(reason)); \(told) told")
        requestTick()
        return told
    }

    public func pilotList() -> [PilotInfo] {
        pilotBook.records.values.sorted { ($0.number ?? 0, $0.id) < ($1.number ?? 0, $1.id) }.map(pilotInfo)
    }

    public func pilotInfo(_ id: String) throws(ManagerError) -> PilotInfo {
        guard let rec = pilotBook.records[id] else { throw ManagerError(.notFound, "no pilot \(id)", field: "id") }
        return pilotInfo(rec)
    }

    /// The number the next pilot would get, for a dry run's script.
    public var nextPilotID: String { "p\(pilotBook.nextNumber)" }

    func pilotInfo(_ p: PilotRecord) -> PilotInfo {
        var info = PilotInfo(id: p.id, profile: p.profile, slurmJobID: p.jobID?.rawValue, state: p.state, reason: p.reason,
                             nodeCount: p.nodeCount, nodes: p.nodes, submittedAt: p.submittedAt, startedAt: p.startedAt,
                             endedAt: p.endedAt, walltimeEnd: p.walltimeEnd, queue: p.queue)
        info.cluster = clusterName(p)
        info.drainRequestedAt = p.drainRequestedAt
        info.drainDeadline = p.drainDeadline
        for a in agents.values where a.pilot == p.id && (a.state == .active || a.state == .disconnected) {
            info.agents += 1
            info.cores += a.resources.coreCount
            info.gpus += a.resources.gpus.count
            if let u = scheduler.usage(of: a.id) {
                info.freeCores += u.freeCores
                info.freeGPUs += u.freeGPUs
                info.runningTasks += u.tasks
            }
        }
        return info
    }

    // MARK: - Tracking

    /// Asks the Slurm worker for the states of unfinished pilots: one poll per cluster, and no new
    /// round while one is out.
    mutating func pollPilotsIfDue() {
        guard !pilotBook.polling, now - pilotBook.lastPoll >= config.pilots.pollInterval else { return }
        var byCluster: [SlurmCluster?: [SlurmJobID]] = [:]
        for p in pilotBook.unfinished { if let j = p.jobID { byCluster[p.cluster, default: []].append(j) } }
        let scaling = pilotBook.autoscale.queues.values.contains { $0.state == .active }
        guard !byCluster.isEmpty || scaling else { return }
        pilotBook.lastPoll = now
        if byCluster.isEmpty { autoscale(); return }
        // The manager's own cluster first, then the others by name: a deterministic effect order.
        for cluster in byCluster.keys.sorted(by: { ($0?.name ?? "") < ($1?.name ?? "") }) {
            pilotBook.pollsOut += 1
            effects.append(.slurm(.poll(byCluster[cluster]!, cluster: cluster)))
        }
    }

    /// Applies a poll's answer. A pilot whose job no longer runs loses its agents at once, instead of
    /// after the heartbeat timeout, so their tasks are requeued within one poll.
    /// Job ids are per cluster: only pilots of the cluster that answered are advanced.
    mutating func applySlurmStates(_ infos: [SlurmJobInfo], asked: [SlurmJobID], cluster: SlurmCluster? = nil) {
        let byJob = Dictionary(infos.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        for rec in pilotBook.records.values.sorted(by: { $0.id < $1.id }) {
            guard rec.cluster == cluster, let job = rec.jobID, asked.contains(job), !rec.state.isFinal else { continue }
            let next = PilotTracker.advance(rec, with: byJob[job], now: now)
            if next != rec {
                if next.state != rec.state {
                    log(.info, "pilot \(rec.id) (Slurm job \(job)): \(rec.state.rawValue) → \(next.state.rawValue)\(next.reason.map { " (\($0))" } ?? "")")
                }
                savePilot(next)
            }
            if next.ended { releaseAgents(of: next) }
        }
    }

    mutating func releaseAgents(of p: PilotRecord) {
        var any = false
        for aid in agents.keys.sorted() {
            let a = agents[aid]!
            guard a.pilot == p.id, a.state == .active || a.state == .disconnected else { continue }
            loseAgent(aid, reason: "pilot \(p.id) (Slurm job \(p.jobID.map { "\($0)" } ?? "?")) ended: \(p.state.rawValue)\(p.reason.map { ", \($0)" } ?? "")")
            any = true
        }
        if any { requestTick() }
    }

    /// Agents of a pilot whose job is over may still try to (re)connect while Slurm kills them.
    func checkPilotAcceptsAgents(_ pilot: String?) throws(ManagerError) {
        guard let pilot, let p = pilotBook.records[pilot], p.ended else { return }
        throw ManagerError(.unavailable, "pilot \(pilot) has ended (\(p.state.rawValue)); its agents are no longer accepted")
    }

    mutating func notePollError(_ message: String) {
        if pilotBook.lastPollError != message { log(.warning, message) }
        pilotBook.lastPollError = message
    }

    mutating func savePilot(_ p: PilotRecord) {
        let old = pilotBook.records[p.id]
        pilotBook.records[p.id] = p
        batch.pilots.append(p.row)
        if old?.state != p.state {
            journal(.pilotState, pilot: p.id, state: p.state.rawValue, reason: p.reason, detail: clusterDetail(p))
        }
        if p.ended, old?.ended != true { failTasksPinned(to: p.id, because: p.state.rawValue) }
    }
}
