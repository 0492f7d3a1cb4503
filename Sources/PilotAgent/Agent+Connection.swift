import Foundation
import NIOCore
import NIOPosix
import PilotCore
import PilotProtocol

extension Agent {
    /// One connection: hello with what is running and what finished unacknowledged, then serve
    /// frames as they arrive on this agent's event loop until the connection ends.
    func session(_ cfg: AgentConfig) async throws {
        sessionNumber += 1
        let sid = sessionNumber
        let box = WeakAgent(self)
        // TLS with the manager's pinned certificate: nothing, the token least of all, is sent to a
        // server presenting another one.
        let pin: TLSPin?
        if let f = cfg.tlsFingerprint {
            guard let p = TLSPin(f) else {
                throw AgentError("the manager's TLS fingerprint '\(f.prefix(80))' is not sha256:HEX (64 hex digits)", fatal: true)
            }
            pin = p
        } else {
            pin = nil
        }
        let tlsContext = try pin.map { _ in try TLSPin.sharedClientContext.get() }
        let mismatch = PinMismatch()
        let channel = try await ClientBootstrap(group: eventLoop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(.seconds(5))
            .channelInitializer { ch in
                // The channel lives on the agent's event loop, which is the agent's executor.
                ch.eventLoop.makeCompletedFuture {
                    if let pin, let tlsContext {
                        try ch.pipeline.syncOperations.addHandler(try pin.clientHandler(context: tlsContext, mismatch: mismatch))
                    }
                    try ch.pipeline.syncOperations.addFraming(
                        onFrame: { frame in box.agent?.assumeIsolated { $0.received(frame, session: sid) } },
                        onClose: { box.agent?.assumeIsolated { $0.sessionClosed(sid) } })
                }
            }
            .connect(host: cfg.managerHost, port: cfg.agentPort).get()
        link = channel
        sessionEnd = nil
        sessionError = nil
        sessionOver = !channel.isActive
        // Queued assignments belong to the previous connection's manager state; see forgetWaiting.
        forgetWaiting()
        templates.removeAll()
        managerCombines = false
        managerReadsBinary = false
        defer {
            if agentID != nil { lastManagerContact = now }
            link = nil; agentID = nil; forgetWaiting()
        }
        let hello = AgentHello(token: cfg.token, agentUUID: cfg.uuid, hostname: cfg.hostname, pilot: cfg.pilot,
                               resources: cfg.resources, deadline: drainDeadline ?? cfg.deadline, draining: draining,
                               running: running.values.filter { !discard.contains($0.key) }
                                   .map { RunningTask(key: $0.key, pid: $0.pid, startedAt: $0.startedAt) },
                               finished: Array(unacked.values), prefetch: cfg.prefetch, templates: true, binary: true,
                               binaryAssign: true)
        sendAuthenticationIfLarge(hello, on: channel)
        send(.hello(hello))
        defer { heartbeat?.cancel(); heartbeat = nil }
        if !sessionOver {
            await withCheckedContinuation { sessionEnd = $0 }
        }
        if let e = mismatch.error(peer: "\(cfg.managerHost):\(cfg.agentPort)") {
            log.error("\(e)")
            throw AgentError(e.description)
        }
        throw sessionError ?? AgentError("connection to the manager closed")
    }

    /// Until it has seen the token the manager takes only small frames; a hello carrying many
    /// results can be larger, so the token goes first on its own.
    private func sendAuthenticationIfLarge(_ hello: AgentHello, on channel: any Channel) {
        guard let size = try? JSONCoding.frame(AgentEnvelope.hello(hello), binary: false, allocator: channel.allocator).readableBytes,
              size > WireVersion.maxPreAuthFrameBytes,
              let auth = try? JSONCoding.frame(AgentAuth(token: hello.token), allocator: channel.allocator) else { return }
        channel.writeAndFlush(auth, promise: nil)
    }

    /// Closes the connection as a network failure would, without stopping: the agent reconnects
    /// after its usual backoff and reports in its hello what ran and finished meanwhile
    /// (`pilot bench agents` drops agents this way).
    public func dropConnection() {
        link?.close(promise: nil)
    }

    func sessionClosed(_ sid: Int) {
        guard sid == sessionNumber, !sessionOver else { return }
        sessionOver = true
        let c = sessionEnd
        sessionEnd = nil
        c?.resume()
    }

    /// Ends the session with an error the run loop sees (a refused token is fatal).
    private func endSession(_ e: AgentError) {
        sessionError = e
        link?.close(promise: nil)
    }

    func received(_ frame: ByteBuffer, session sid: Int) {
        guard sid == sessionNumber, !sessionOver else { return }
        let env: ManagerEnvelope
        do { env = try JSONCoding.decodeManagerFrame(frame) } catch {
            log.warning("bad message from manager: \(JSONCoding.describe(error).message)")
            return
        }
        switch env.type {
        case .welcome:
            guard let w = env.welcome else { return }
            agentID = w.agentID
            lastManagerContact = now
            heartbeatInterval = w.heartbeatInterval
            managerCombines = w.combined ?? false
            managerReadsBinary = w.binary ?? false
            startHeartbeat(every: w.heartbeatInterval)
            for k in w.kill { kill(k, discarding: true) }
            log.info("registered as agent \(w.agentID)\(w.kill.isEmpty ? "" : "; killing \(w.kill.count) tasks re-bound elsewhere")")
            // Results sent in the hello are acknowledged like any others; re-send nothing else.
        case .assign:
            launch(env.assign ?? [])
            if let acked = env.ack { acknowledged(acked) }
        case .assignRefs:
            launch(expand(env))
            if let acked = env.ack { acknowledged(acked) }
        case .cancel:
            for k in env.cancel ?? [] { kill(k, discarding: false) }
        case .drain:
            let d = env.drain
            drain(reason: d?.reason ?? "the manager asked this pilot to drain", deadline: d?.deadline)
        case .ack:
            acknowledged(env.ack ?? [])
        case .error:
            let e = env.error
            if e?.code == "unauthorized" {
                endSession(AgentError("manager refused this agent: \(e?.message ?? "unauthorized") (check the token)", fatal: true))
            } else if e?.code == "bad_version" {
                endSession(AgentError("manager refused this agent: \(e?.message ?? "")", fatal: true))
            } else {
                log.warning("manager reported: \(e?.description ?? "?")")
            }
        }
    }

    private func acknowledged(_ keys: [TaskKey]) {
        for k in keys { unacked[k] = nil }
        if stopped == false, draining, running.isEmpty, unacked.isEmpty { finishDrain() }
    }

    /// Array members by reference: the templates are kept for this connection only.
    func expand(_ env: ManagerEnvelope) -> [TaskAssignment] {
        if let t = env.templates {
            if t.reset { templates.removeAll() }
            for (id, spec) in t.specs { templates[id] = spec }
        }
        var list: [TaskAssignment] = []
        list.reserveCapacity(env.refs?.count ?? 0)
        for r in env.refs ?? [] {
            guard let tpl = templates[r.template] else {
                // A manager bug, not a task error; fail the attempt visibly rather than hang it.
                report(TaskOutcome(key: r.key, kind: .launchFailed, endedAt: now, reason: "unknown task template \(r.template)"))
                continue
            }
            list.append(TaskAssignment(key: r.key, spec: tpl.instantiated(index: r.index), placement: r.placement, qpu: r.qpu))
        }
        return list
    }

    /// Started once the manager has said how often it expects to hear from us.
    func startHeartbeat(every interval: Double) {
        heartbeat?.cancel()
        heartbeat = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(Int(max(interval, 0.05) * 1000)))
                await self?.send(.heartbeat)
            }
        }
    }

    func send(_ env: AgentEnvelope) {
        guard let ch = link, let buf = try? JSONCoding.frame(env, binary: managerReadsBinary, allocator: ch.allocator) else { return }
        ch.writeAndFlush(buf, promise: nil)
    }

    /// Coalesces started/finished reports produced in one burst into one message each.
    func scheduleFlush() {
        guard !flushScheduled else { return }
        flushScheduled = true
        Task { self.flush() }
    }

    func flush() {
        flushScheduled = false
        if holdFinished() { return }
        if !pendingStarted.isEmpty, !pendingFinished.isEmpty {
            // A task that started and ended within one burst needs no separate `started`: its outcome
            // carries the start time, and the manager goes bound → done directly.
            let ended = Set(pendingFinished.map(\.key))
            pendingStarted.removeAll { ended.contains($0.key) }
        }
        // A start is reported once it is `startReportDelay` old: most short tasks end sooner and are
        // then reported once, from bound to done, which spares the manager a store write per task.
        var held: [RunningTask] = []
        if config.startReportDelay > 0, !pendingStarted.isEmpty {
            let cutoff = now - config.startReportDelay
            var due: [RunningTask] = []
            for s in pendingStarted { if s.startedAt > cutoff { held.append(s) } else { due.append(s) } }
            pendingStarted = due
        }
        defer {
            if !held.isEmpty {
                pendingStarted.append(contentsOf: held)
                scheduleFlush(at: held.map(\.startedAt).min()! + config.startReportDelay)
            }
        }
        if managerCombines, !pendingStarted.isEmpty, !pendingFinished.isEmpty {
            var env = AgentEnvelope.finished(pendingFinished)
            env.started = pendingStarted
            send(env)
            pendingStarted.removeAll(keepingCapacity: true)
            pendingFinished.removeAll(keepingCapacity: true)
            return
        }
        if !pendingStarted.isEmpty { send(.started(pendingStarted)); pendingStarted.removeAll(keepingCapacity: true) }
        if !pendingFinished.isEmpty { send(.finished(pendingFinished)); pendingFinished.removeAll(keepingCapacity: true) }
    }

    /// True when finished outcomes should wait (up to `finishReportDelay` after the oldest, at most
    /// `heldFinishesMax` of them) because every PU and GPU is busy: each exit since the last report
    /// was taken over by a queued successor, so no core waits for the manager to hear of it. The
    /// first exit that leaves a core or GPU free, a drain, or an ending session sends them at once.
    private func holdFinished() -> Bool {
        guard config.finishReportDelay > 0, let first = pendingFinished.first,
              pendingFinished.count < Self.heldFinishesMax, !draining, !abandoning, !sessionOver,
              slotTotals.pus > 0, puHolder.count >= slotTotals.pus, gpuHolder.count >= slotTotals.gpus else { return false }
        let due = first.endedAt + config.finishReportDelay
        guard now < due else { return false }
        scheduleFlush(at: due)
        return true
    }

    static let heldFinishesMax = 64

    /// One timer for held starts and held outcomes, at the earliest moment one of them is due; the
    /// flush it runs sends what is due and asks again for whatever is still held.
    private func scheduleFlush(at due: Double) {
        if let current = timedFlushDue, current <= due { return }
        timedFlushDue = due
        flushTimer?.cancel()
        let wait = Int64(max(0, due - now) * 1e9) + 100_000
        flushTimer = eventLoop.scheduleTask(in: .nanoseconds(wait)) { [weak self] in
            self?.assumeIsolated { agent in
                agent.flushTimer = nil
                agent.timedFlushDue = nil
                agent.flush()
            }
        }
    }
}
