import Foundation
import PilotCore
import PilotProtocol
import PilotSlurm
import PilotStore

extension ManagerCore {
    // MARK: - Submit

    /// Renders the job script and submits it. The pilot is stored as `submitting` before the RPC,
    /// so a manager that dies mid-submit still knows a job may exist under that name.
    public func submitPilot(_ req: PilotSubmitRequest, queue: Int? = nil) async throws(ManagerError) -> PilotSubmitResponse {
        loadPilotsIfNeeded()
        let path = try profilePath(req.profile)
        let profile: ClusterProfile
        do { profile = try ClusterProfile.load(path: path) } catch {
            throw ManagerError(.badRequest, error.description, field: "profile", cause: error)
        }
        let overrides = try Self.profileOverrides(req.overrides)
        let effective: ClusterProfile
        do { effective = try profile.applying(overrides) } catch {
            throw ManagerError(.badRequest, error.description, field: "overrides", cause: error)
        }
        let id = "p\(pilotBook.nextNumber)"
        let access: AccessFile
        do { access = try AccessFile.read(from: config.serverDir) } catch {
            throw ManagerError(.unavailable, "the manager has not written its access file yet: \(error)")
        }
        let logDir = config.serverDir + "/pilots/\(id)"
        let context = JobScriptContext(pilotID: id, managerHost: agentHostForPilots, managerPort: access.agentPort,
                                       tokenFile: AccessFile.path(in: config.serverDir),
                                       pilotBinary: config.pilots.pilotBinary ?? PilotSettings.ownExecutable, logDirectory: logDir)
        let script: String
        do {
            script = try JobScriptRenderer(templatePath: config.pilots.templatePath).render(profile: profile, overrides: overrides,
                                                                                           context: context)
        } catch {
            if case .profile(let pe) = error { throw ManagerError(.badRequest, pe.description, field: "overrides", cause: error) }
            throw ManagerError(.internal, "cannot render the pilot job script: \(error)", cause: error)
        }
        if req.dryRun == true { return PilotSubmitResponse(script: script) }
        let request: BatchJobRequest
        do {
            request = try BatchJobRequest.pilot(profile: profile, overrides: overrides, context: context, script: script,
                                                environment: ProcessInfo.processInfo.environment)
        } catch {
            throw ManagerError(.badRequest, error.description, field: "profile", cause: error)
        }
        let client = try slurmClient()
        do { try FileManager.default.createDirectory(atPath: logDir, withIntermediateDirectories: true) } catch {
            throw ManagerError(.internal, "cannot create the pilot log directory \(logDir): \(error)", cause: error)
        }
        pilotBook.nextNumber += 1
        var rec = PilotRecord(id: id, profile: profile.name, state: .submitting, nodeCount: effective.nodes, submittedAt: now,
                              request: Self.requestJSON(path: path, overrides: req.overrides), queue: queue)
        savePilot(rec)
        let result: Result<SlurmJobID, SlurmError>
        do { result = .success(try await pilotBook.worker.run { () throws(SlurmError) in try client.submit(request) }) } catch {
            result = .failure(error)
        }
        rec = pilotBook.records[id] ?? rec
        switch result {
        case .success(let job):
            rec.jobID = job
            if rec.state == .submitting { rec.state = .pending }
            savePilot(rec)
            log.info("pilot \(id) submitted as Slurm job \(job) (profile \(profile.name), \(effective.nodes) nodes, \(effective.walltime))")
            return PilotSubmitResponse(pilot: pilotInfo(rec))
        case .failure(let e):
            rec.state = .failed
            rec.ended = true
            rec.endedAt = now
            rec.reason = "Slurm refused the job: \(e.slurmErrorText ?? e.message)"
            savePilot(rec)
            let code: ManagerError.Code = e.code == .submitFailed || e.code == .invalidRequest ? .badRequest : .unavailable
            throw ManagerError(code, "pilot \(id) (profile \(path)): Slurm refused the job: \(e)", cause: e)
        }
    }

    func profilePath(_ given: String) throws(ManagerError) -> String {
        if given.contains("/") || given.hasSuffix(".yaml") || given.hasSuffix(".yml") {
            guard given.hasPrefix("/") else {
                throw ManagerError(.badRequest, "'\(given)' must be an absolute path (or a profile name)", field: "profile")
            }
            return given
        }
        guard !given.isEmpty, given.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." }) else {
            throw ManagerError(.badRequest, "'\(given)' is not a profile name", field: "profile")
        }
        guard let dir = config.pilots.profileDirectory else {
            throw ManagerError(.badRequest, "this manager has no profile directory; give the profile as an absolute path", field: "profile")
        }
        let path = "\(dir)/\(given).yaml"
        guard FileManager.default.fileExists(atPath: path) else {
            let known = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [])
                .filter { $0.hasSuffix(".yaml") }.map { String($0.dropLast(5)) }.sorted()
            throw ManagerError(.badRequest, "no profile '\(given)' in \(dir) (known: \(known.joined(separator: ", ")))", field: "profile")
        }
        return path
    }

    static func profileOverrides(_ o: PilotOverrides?) throws(ManagerError) -> ProfileOverrides {
        guard let o else { return ProfileOverrides() }
        var p = ProfileOverrides(nodes: o.nodes, partition: o.partition, account: o.account, qos: o.qos,
                                 constraint: o.constraint, gpusPerNode: o.gpusPerNode)
        if let w = o.walltime {
            // The command-line parser already knows sbatch's spellings (bare minutes, [D-]HH:MM:SS).
            do { p.walltime = try ProfileOverrides.parse(arguments: ["--time=\(w)"]).overrides.walltime } catch {
                throw ManagerError(.badRequest, error.reason, field: "overrides.walltime", cause: error)
            }
        }
        return p
    }

    static func requestJSON(path: String, overrides: PilotOverrides?) -> String? {
        struct Stored: Encodable { var profile: String; var overrides: PilotOverrides? }
        return (try? JSONCoding.encoder().encode(Stored(profile: path, overrides: overrides))).map { String(decoding: $0, as: UTF8.self) }
    }

    var agentHostForPilots: String {
        if let h = config.pilots.agentHost { return h }
        return config.host == "0.0.0.0" || config.host == "::" ? ProcessInfo.processInfo.hostName : config.host
    }

    func slurmClient() throws(ManagerError) -> any SlurmClient {
        if let c = pilotBook.client { return c }
        let c: any SlurmClient
        if let given = config.slurm { c = given } else {
            do { c = try config.pilots.makeClient() } catch {
                throw ManagerError(.unavailable, "Slurm is not usable from this manager: \(error)", cause: error)
            }
        }
        pilotBook.client = c
        return c
    }

    // MARK: - Cancel and list

    public func cancelPilot(_ id: String) async throws(ManagerError) -> PilotInfo {
        loadPilotsIfNeeded()
        guard let rec = pilotBook.records[id] else { throw ManagerError(.notFound, "no pilot \(id)", field: "id") }
        if rec.state.isFinal { return pilotInfo(rec) }
        guard let job = rec.jobID else {
            throw ManagerError(.unavailable, "pilot \(id) is still being submitted; cancel it again in a moment")
        }
        // Nothing new goes to a pilot that is going away.
        for (aid, a) in agents where a.pilot == id && a.scheduled { scheduler.setDraining(aid) }
        let client = try slurmClient()
        do { try await pilotBook.worker.run { () throws(SlurmError) in try client.cancel(job, signal: nil) } } catch {
            throw ManagerError(.unavailable, "cancelling pilot \(id) (Slurm job \(job)) failed: \(error)", cause: error)
        }
        log.info("pilot \(id) (Slurm job \(job)) cancelled on request")
        return pilotInfo(pilotBook.records[id] ?? rec)
    }

    /// Every agent of the pilot stops taking tasks and lets its running ones go on until the
    /// deadline. The job script calls this (through `pilot pilots drain`) when Slurm's walltime
    /// warning reaches the batch shell: Slurm's signal itself would also hit every task.
    public func drainPilot(_ id: String, _ req: PilotDrainRequest) throws(ManagerError) -> PilotInfo {
        loadPilotsIfNeeded()
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
        var told = 0
        for (aid, a) in agents where a.pilot == id && a.scheduled {
            scheduler.setDraining(aid)
            agents[aid]!.draining = true
            if let d = deadline { scheduler.setDeadline(aid, min(d, a.deadline ?? d)) }
            dirtyAgents.insert(aid)
            if let l = a.link { l.send(.drain(DrainOrder(reason: reason, deadline: deadline))); told += 1 }
        }
        log.info("pilot \(id) drains (\(reason)); deadline \(deadline.map { "\($0)" } ?? "each agent's walltime end"); \(told) agents told")
        requestTick()
        return pilotInfo(rec)
    }

    public func pilotList() -> [PilotInfo] {
        loadPilotsIfNeeded()
        return pilotBook.records.values.sorted { ($0.number ?? 0, $0.id) < ($1.number ?? 0, $1.id) }.map(pilotInfo)
    }

    public func pilotInfo(_ id: String) throws(ManagerError) -> PilotInfo {
        loadPilotsIfNeeded()
        guard let rec = pilotBook.records[id] else { throw ManagerError(.notFound, "no pilot \(id)", field: "id") }
        return pilotInfo(rec)
    }

    func pilotInfo(_ p: PilotRecord) -> PilotInfo {
        var info = PilotInfo(id: p.id, profile: p.profile, slurmJobID: p.jobID?.rawValue, state: p.state, reason: p.reason,
                             nodeCount: p.nodeCount, nodes: p.nodes, submittedAt: p.submittedAt, startedAt: p.startedAt,
                             endedAt: p.endedAt, walltimeEnd: p.walltimeEnd, queue: p.queue)
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

    /// One round of Slurm polling: states of unfinished pilots are read off the actor, then applied.
    public func pollPilots() async {
        loadPilotsIfNeeded()
        guard !pilotBook.polling else { return }
        pilotBook.polling = true
        defer { pilotBook.polling = false }
        let watched = pilotBook.unfinished.compactMap(\.jobID)
        if !watched.isEmpty {
            let client: any SlurmClient
            do { client = try slurmClient() } catch { notePollError("\(error)"); return }
            let infos: [SlurmJobInfo]
            do { infos = try await pilotBook.worker.run { () throws(SlurmError) in try client.jobs(watched) } } catch {
                notePollError("reading pilot states from Slurm failed: \(error)")
                return
            }
            pilotBook.lastPollError = nil
            applySlurmStates(infos, asked: watched)
        }
        if pilotBook.autoscale.queues.values.contains(where: { $0.state == .active }) { await autoscale() }
    }

    /// Applies a poll's answer. A pilot whose job no longer runs loses its agents at once, instead of
    /// after the heartbeat timeout, so their tasks are requeued within one poll.
    func applySlurmStates(_ infos: [SlurmJobInfo], asked: [SlurmJobID]) {
        let byJob = Dictionary(infos.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let t = now
        for rec in pilotBook.records.values {
            guard let job = rec.jobID, asked.contains(job), !rec.state.isFinal else { continue }
            let next = PilotTracker.advance(rec, with: byJob[job], now: t)
            if next != rec {
                if next.state != rec.state {
                    log.info("pilot \(rec.id) (Slurm job \(job)): \(rec.state.rawValue) → \(next.state.rawValue)\(next.reason.map { " (\($0))" } ?? "")")
                }
                savePilot(next)
            }
            if next.ended { releaseAgents(of: next) }
        }
    }

    func releaseAgents(of p: PilotRecord) {
        var any = false
        for (aid, a) in agents where a.pilot == p.id && (a.state == .active || a.state == .disconnected) {
            loseAgent(aid, reason: "pilot \(p.id) (Slurm job \(p.jobID.map { "\($0)" } ?? "?")) ended: \(p.state.rawValue)\(p.reason.map { ", \($0)" } ?? "")")
            any = true
        }
        if any { requestTick() }
    }

    /// Agents of a pilot whose job is over may still try to (re)connect while Slurm kills them.
    func checkPilotAcceptsAgents(_ pilot: String?) throws(ManagerError) {
        loadPilotsIfNeeded()
        guard let pilot, let p = pilotBook.records[pilot], p.ended else { return }
        throw ManagerError(.unavailable, "pilot \(pilot) has ended (\(p.state.rawValue)); its agents are no longer accepted")
    }

    func notePollError(_ message: String) {
        if pilotBook.lastPollError != message { log.warning("\(message)") }
        pilotBook.lastPollError = message
    }

    func savePilot(_ p: PilotRecord) {
        pilotBook.records[p.id] = p
        do { try store.savePilot(p.row) } catch { log.error("cannot store pilot \(p.id): \(error)") }
    }

    func loadPilotsIfNeeded() {
        guard !pilotBook.loaded else { return }
        pilotBook.loaded = true
        let rows: [PilotRow]
        do { rows = try store.pilots() } catch { log.error("cannot read pilots: \(error)"); return }
        for row in rows {
            var rec = PilotRecord(row: row)
            if rec.state == .submitting {
                // The manager stopped between storing the pilot and hearing Slurm's answer.
                rec.state = .failed
                rec.ended = true
                rec.reason = "the manager stopped while submitting it; a Slurm job named pilot-\(rec.id) may exist"
                try? store.savePilot(rec.row)
            }
            pilotBook.records[rec.id] = rec
            pilotBook.nextNumber = max(pilotBook.nextNumber, (rec.number ?? 0) + 1)
        }
        loadAllocQueues()
    }
}
