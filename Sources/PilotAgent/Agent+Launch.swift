import Foundation
import PilotCore
import PilotLaunch
import PilotProtocol
import PilotTopology

extension Agent {
    /// Assignments from the manager. With prefetch some are bound to cores a running task still
    /// holds: they wait here (state `bound`) and start without a round trip when those cores free up.
    func launch(_ list: [TaskAssignment]) {
        let t = now
        for a in list {
            guard running[a.key] == nil, !waitingKeys.contains(a.key) else { continue }
            if draining {
                report(TaskOutcome(key: a.key, kind: .drained, endedAt: t, reason: "agent is draining"))
                continue
            }
            waiting.append(a)
            waitingKeys.insert(a.key)
        }
        pump()
        scheduleFlush()
    }

    /// Starts every waiting assignment whose PUs and GPUs are free, in FIFO order: a task never
    /// overtakes an earlier one that waits for any of the same PUs, so each core runs its tasks in
    /// the order the manager bound them, and no two running tasks ever share a PU or a GPU.
    /// One that waits only for a single running process is queued behind it in the launcher instead.
    func pump() {
        guard !waiting.isEmpty else { return }
        // PUs and GPUs wanted by an earlier waiting task are marked with this pass's number in
        // arrays by id: no set is built and nothing is hashed per waiting task (with 16 queued per
        // core, every exit looked at all of them).
        claimPass &+= 1
        if claimPass == 0 {
            for k in puClaim.indices { puClaim[k] = 0 }
            for k in gpuClaim.indices { gpuClaim[k] = 0 }
            claimPass = 1
        }
        var blockedLeases: Set<LeaseSlot> = []
        // Ids past `claimLimit` (no real node has them) are marked here, so a binding naming a huge
        // id cannot grow the arrays without bound.
        var farPUs: Set<Int> = [], farGPUs: Set<Int> = []
        var kept = 0
        for r in waiting.indices {
            let pus = waiting[r].placement.pus
            let gpus = waiting[r].placement.gpus
            let lease = waiting[r].qpu
            let first = pus.allSatisfy { !isClaimed(puClaim, farPUs, $0) } && gpus.allSatisfy { !isClaimed(gpuClaim, farGPUs, $0) }
                && LeaseSlot.all(of: lease) { !blockedLeases.contains($0) }
            if first && pus.allSatisfy({ puHolder[$0] == nil }) && gpus.allSatisfy({ gpuHolder[$0] == nil })
                && LeaseSlot.all(of: lease, { leaseHolder[$0] == nil }) {
                waitingKeys.remove(waiting[r].key)
                start(waiting[r], at: now)
                continue
            }
            if first && chain(waiting[r]) {
                // Queued in order behind the task that holds its PUs: the next one for the same PUs
                // may queue behind it in this same pass, and nothing can start there before either.
                waitingKeys.remove(waiting[r].key)
                continue
            }
            // Kept in arrival order: what was started or chained before it has been passed over.
            if kept != r { waiting.swapAt(kept, r) }
            kept += 1
            for p in pus { claim(&puClaim, &farPUs, p) }
            for g in gpus { claim(&gpuClaim, &farGPUs, g) }
            LeaseSlot.each(of: lease) { blockedLeases.insert($0) }
        }
        if kept < waiting.count { waiting.removeLast(waiting.count - kept) }
    }

    static let claimLimit = 1 << 16

    private func isClaimed(_ marks: [UInt32], _ far: Set<Int>, _ id: Int) -> Bool {
        guard id >= 0, id < Self.claimLimit else { return far.contains(id) }
        return id < marks.count && marks[id] == claimPass
    }

    private func claim(_ marks: inout [UInt32], _ far: inout Set<Int>, _ id: Int) {
        guard id >= 0, id < Self.claimLimit else { far.insert(id); return }
        if id >= marks.count { marks.append(contentsOf: repeatElement(0, count: id + 1 - marks.count)) }
        marks[id] = claimPass
    }

    /// Hands `a` to the launcher as the successor of the one running process that holds every PU
    /// and GPU it needs: the reaper thread starts it the moment that process is reaped, without
    /// waiting for this loop to hear of the exit (the wait that left a core idle between two short
    /// tasks). Up to `successorDepth` queue there, each behind the last, when they need exactly
    /// what the one before them needs. True when `a` is taken care of: queued there, or reported
    /// as failed to launch.
    private func chain(_ a: TaskAssignment) -> Bool {
        guard a.spec.kind == .command, !draining, (a.gangHosts?.count ?? 0) <= 1,
              let pu = a.placement.pus.first, let holderKey = puHolder[pu], let holder = running[holderKey],
              holder.pid != nil, holder.kernelTask == nil, holder.predecessor == nil,
              a.placement.pus.allSatisfy({ puHolder[$0] == holderKey }),
              a.placement.gpus.allSatisfy({ gpuHolder[$0] == holderKey }),
              LeaseSlot.all(of: a.qpu, { leaseHolder[$0] == holderKey }) else { return false }
        // The end of the queue behind the holder. A task leaves `running` and `successorOf` together
        // (its exit or failed start heard of, or its cancel), so every link leads to one still here.
        var tailKey = holderKey
        var depth = 0
        while let next = successorOf[tailKey] {
            tailKey = next
            depth += 1
        }
        guard depth < max(1, config.successorDepth) else { return false }
        let tail = depth == 0 ? holder : running[tailKey]
        guard let tail, depth == 0 || (tail.pus == a.placement.pus && tail.gpus == a.placement.gpus && tail.lease == a.qpu),
              launcher.canQueueSuccessor(after: tail.token) else { return false }
        let token = nextToken
        nextToken += 1
        // Expected before the spawn: the reaper may start it, and see it exit, before spawn returns.
        results?.expect(token: token, name: resultName(a.key))
        let spec = spawnSpec(for: a)
        outputWatch?.watch(token: token, paths: [spec.stdoutPath, spec.stderrPath].compactMap { $0 })
        do {
            guard try launcher.spawn(spec, token: token, after: tail.token) else {
                results?.forget(token: token)
                outputWatch?.forget(token: token)
                return false
            }
        } catch {
            results?.forget(token: token)
            outputWatch?.forget(token: token)
            report(TaskOutcome(key: a.key, kind: .launchFailed, endedAt: now, reason: "\(error)"))
            return true
        }
        byToken[token] = a.key
        running[a.key] = Running(key: a.key, token: token, pid: nil, startedAt: now, spec: a.spec,
                                 pus: a.placement.pus, gpus: a.placement.gpus, lease: a.qpu, predecessor: tail.token)
        successorOf[tailKey] = a.key
        return true
    }

    /// Forgets a successor the launcher gave back before starting it; the one queued behind it
    /// moves up, as it did in the launcher.
    private func unchain(_ key: TaskKey) {
        // Read here, not passed in: unchaining another of the queue may have relinked this one.
        guard let r = running.removeValue(forKey: key) else { return }
        byToken[r.token] = nil
        results?.forget(token: r.token)
        outputWatch?.forget(token: r.token)
        let next = successorOf.removeValue(forKey: key)
        if let before = r.predecessor.flatMap({ byToken[$0] }), successorOf[before] == key { successorOf[before] = next }
        if let next, running[next]?.predecessor == r.token { running[next]?.predecessor = r.predecessor }
    }

    private func start(_ a: TaskAssignment, at t: Double) {
        // The null launcher completes command tasks as null tasks do: exit 0, no process.
        let kind = a.spec.kind == .command && config.launcher == .null ? .null : a.spec.kind
        switch kind {
        case .null:
            pendingStarted.append(RunningTask(key: a.key, pid: nil, startedAt: t))
            report(TaskOutcome(key: a.key, kind: .exited, exitCode: 0, startedAt: t, endedAt: t))
        case .quantum:
            guard let kernel else {
                report(TaskOutcome(key: a.key, kind: .launchFailed, endedAt: t, reason: "this agent has no quantum kernel"))
                return
            }
            let threads = max(1, a.placement.cores.count)
            let env = kernelEnvironment(for: a)
            let task = Task { [weak self] in
                let o = await kernel(a, threads, env)
                await self?.kernelDone(o)
            }
            hold(a.key, pus: a.placement.pus, gpus: a.placement.gpus, lease: a.qpu)
            running[a.key] = Running(key: a.key, token: 0, pid: nil, startedAt: t, spec: a.spec, kernelTask: task,
                                     pus: a.placement.pus, gpus: a.placement.gpus, lease: a.qpu)
            pendingStarted.append(RunningTask(key: a.key, pid: nil, startedAt: t))
        case .command:
            spawn(a, at: t)
        }
    }

    private func hold(_ key: TaskKey, pus: [Int], gpus: [Int], lease: QPULease?) {
        for p in pus { puHolder[p] = key }
        for g in gpus { gpuHolder[g] = key }
        LeaseSlot.each(of: lease) { leaseHolder[$0] = key }
    }

    /// A running task ended: its PUs and GPUs go back, and whatever waited for them starts.
    private func releaseSlots(_ r: Running) {
        for p in r.pus where puHolder[p] == r.key { puHolder[p] = nil }
        for g in r.gpus where gpuHolder[g] == r.key { gpuHolder[g] = nil }
        LeaseSlot.each(of: r.lease) { if leaseHolder[$0] == r.key { leaseHolder[$0] = nil } }
    }

    /// Drops a waiting assignment; returns false if it was not waiting.
    func unqueue(_ key: TaskKey) -> Bool {
        guard waitingKeys.remove(key) != nil else { return false }
        waiting.removeAll { $0.key == key }
        return true
    }

    /// The link went down: waiting assignments are forgotten, not started. The manager sees them
    /// neither running nor finished in the next hello and binds them again. So are successors the
    /// launcher had not started yet; returns those (one that started meanwhile stays running).
    @discardableResult
    func forgetWaiting() -> [TaskKey] {
        waiting.removeAll()
        waitingKeys.removeAll()
        var dropped: [TaskKey] = []
        for r in running.values where r.predecessor != nil && launcher?.cancelSuccessor(token: r.token) == true {
            unchain(r.key)
            dropped.append(r.key)
        }
        return dropped
    }

    private func spawn(_ a: TaskAssignment, at t: Double) {
        let token = nextToken
        nextToken += 1
        let spec = spawnSpec(for: a)
        // Registered before the spawn: a very short task may exit before spawn() returns.
        byToken[token] = a.key
        results?.expect(token: token, name: resultName(a.key))
        outputWatch?.watch(token: token, paths: [spec.stdoutPath, spec.stderrPath].compactMap { $0 })
        running[a.key] = Running(key: a.key, token: token, pid: nil, startedAt: t, spec: a.spec,
                                 pus: a.placement.pus, gpus: a.placement.gpus, lease: a.qpu)
        hold(a.key, pus: a.placement.pus, gpus: a.placement.gpus, lease: a.qpu)
        do {
            let pid = try launcher.spawn(spec, token: token)
            running[a.key]?.pid = pid
            pendingStarted.append(RunningTask(key: a.key, pid: pid, startedAt: t))
        } catch {
            byToken[token] = nil
            results?.forget(token: token)
            outputWatch?.forget(token: token)
            if let r = running.removeValue(forKey: a.key) { releaseSlots(r) }
            report(TaskOutcome(key: a.key, kind: .launchFailed, endedAt: now, reason: "\(error)"))
        }
    }

    private func spawnSpec(for a: TaskAssignment) -> SpawnSpec {
        var argv = a.spec.command
        if let hosts = a.gangHosts, hosts.count > 1 { argv = gangCommand(a, hosts: hosts) }
        let logs = a.spec.captureOutput
            ? ("\(config.logDir)/\(a.key.task).\(a.key.attempt).out", "\(config.logDir)/\(a.key.task).\(a.key.attempt).err")
            : nil
        let (env, base) = spawnEnvironment(for: a)
        var spec = SpawnSpec(executable: argv[0], arguments: Array(argv.dropFirst()), environment: env,
                             workingDirectory: a.spec.workingDirectory, stdoutPath: logs?.0, stderrPath: logs?.1,
                             cpus: pinning(a.placement.pus), newSession: true, parentDeathSignal: SIGKILL,
                             timeLimit: a.spec.timeLimit.map { .milliseconds(Int64($0 * 1000)) },
                             killGrace: .milliseconds(Int64(config.killGrace * 1000)), baseEnvironment: base)
        spec.containmentName = "\(a.key.task).\(a.key.attempt)"
        return spec
    }

    /// Multi-node tasks run as one srun step inside this pilot's allocation, on the bound nodes.
    /// With every node's placement known, each rank starts through `pilot rank-exec`, which pins it
    /// to its own bound cores and GPUs on its node (see `gangBinding`).
    private func gangCommand(_ a: TaskAssignment, hosts: [String]) -> [String] {
        let r = a.spec.request
        var cmd = ["srun", "--nodes=\(hosts.count)", "--ntasks=\(hosts.count * r.ranksPerNode)",
                   "--ntasks-per-node=\(r.ranksPerNode)", "--nodelist=\(hosts.joined(separator: ","))",
                   "--cpus-per-task=\(max(1, r.coresPerRank))", "--overlap", "--kill-on-bad-exit=1"]
        if r.gpusPerRank > 0 { cmd.append("--gpus-per-task=\(r.gpusPerRank)") }
        if let mpi = a.spec.environment["PILOT_MPI"] ?? ProcessInfo.processInfo.environment["PILOT_MPI"] { cmd.append("--mpi=\(mpi)") }
        if gangBinding(a) != nil, let exe = config.executable { cmd += [exe, RankBinding.execSubcommand, "--"] }
        return cmd + a.spec.command
    }

    /// Every rank's cores and GPUs on every node of the gang, or nil if the manager did not send
    /// them (an older manager), a host name cannot be written into the binding, or this agent does
    /// not know the executable its ranks would start through.
    ///
    /// PUs become real CPUs through this agent's `cpuMap`: the other nodes' agents are not asked,
    /// since a pilot's nodes share one profile and so one shape. That map is nil wherever Slurm's
    /// grant is real hardware, and then each node's bound PUs are pinned exactly.
    func gangBinding(_ a: TaskAssignment) -> RankBinding? {
        guard config.executable != nil, let hosts = a.gangHosts, let places = a.gangPlacements, places.count == hosts.count else { return nil }
        let showGPUs = !config.resources.gpus.isEmpty || places.contains { !$0.gpus.isEmpty }
        let b = RankBinding(nodes: zip(hosts, places).map { host, p in
            RankBinding.Node(host: host, ranks: p.ranks.map { RankBinding.Rank(cpus: pinning($0.pus), gpus: showGPUs ? $0.gpus : nil) })
        })
        return b.isEncodable ? b : nil
    }

    /// The agent's own environment is read and turned into C strings once, and shared by every
    /// spawn; a task carries only what it sets. Gang tasks get a scrubbed copy instead (their srun
    /// must not inherit the agent step's layout).
    func spawnEnvironment(for a: TaskAssignment) -> ([String: String], EnvironmentBlock?) {
        if baseEnvironment == nil {
            var env = ProcessInfo.processInfo.environment
            for (k, v) in config.environment { env[k] = v }
            baseEnvironment = env
            baseBlock = try? EnvironmentBlock(env)
        }
        if let hosts = a.gangHosts, hosts.count > 1 {
            var env = baseEnvironment!
            GangEnvironment.scrub(&env)
            if let b = gangBinding(a) { env[RankBinding.environmentVariable] = b.encoded }
            return (environment(for: a, over: env), nil)
        }
        guard let block = baseBlock else { return (environment(for: a, over: baseEnvironment!), nil) }
        return (environment(for: a, over: [:]), block)
    }

    /// The whole environment of a quantum task leased on a QPU Slurm granted through QRMI, whose
    /// kernel starts QRMI's task runner: the agent's, the task's, and the QPU's narrowed as for a
    /// command task. Other kernels start no process and get none.
    func kernelEnvironment(for a: TaskAssignment) -> [String: String] {
        guard let device = a.qpu?.device, config.qrmiResources.contains(where: { $0.name == device }) else { return [:] }
        if baseEnvironment == nil { _ = spawnEnvironment(for: a) }
        return environment(for: a, over: baseEnvironment ?? ProcessInfo.processInfo.environment)
    }

    /// What a task sets on top of `env`: its own variables and where it is bound.
    func environment(for a: TaskAssignment, over env: [String: String]) -> [String: String] {
        var env = env
        for (k, v) in a.spec.environment { env[k] = v }
        let p = a.placement
        env["PILOT_TASK_ID"] = String(a.key.task)
        env["PILOT_ATTEMPT"] = String(a.key.attempt)
        env["PILOT_NODE"] = config.hostname
        // A task may leave a JSON result here (≤ InputLimits.maxResultBytes, a regular file); it is stored
        // with the task and fed to workflows. Anything else there fails the attempt.
        env["PILOT_RESULT_FILE"] = resultPath(a.key)
        env["PILOT_CORES"] = CPUList.format(p.cores)
        if let i = a.spec.arrayIndex { env["PILOT_ARRAY_INDEX"] = String(i) }
        let gang = (a.gangHosts?.count ?? 0) > 1
        // A gang's ranks each get their own cores (rank-exec pins them): the head's list is not theirs.
        let threads = gang ? max(1, a.spec.request.coresPerRank) : max(1, p.cores.count)
        env["OMP_NUM_THREADS"] = String(threads)
        let pus = gang ? [] : pinning(p.pus)
        if !pus.isEmpty {
            env["OMP_PLACES"] = pus.map { "{\($0)}" }.joined(separator: ",")
            env["OMP_PROC_BIND"] = "close"
        }
        // Hide the GPUs the task did not ask for, from every vendor's runtime on the node.
        let visibility = GPUVisibility(names: config.resources.gpus.map { ($0.index, $0.name) }, known: config.gpuVendors)
        env.merge(visibility.environment(assigned: p.gpus)) { _, new in new }
        if let l = a.qpu { env["PILOT_QPU_DEVICES"] = l.slots.map { "\(l.device):\($0)" }.joined(separator: ",") }
        if let l = a.qpu, let q = config.qrmiResources.first(where: { $0.name == l.device }) {
            // QRMI's runner in the task finds its QPU the way it would in a plain job,
            // narrowed to the one the task is bound to.
            env.merge(q.environment) { _, new in new }
            for prefix in ["SLURM_JOB_QPU_", "QRMI_JOB_QPU_"] {
                env[prefix + "RESOURCES"] = q.name
                env[prefix + "TYPES"] = q.resourceType
            }
        }
        return env
    }

    func pinning(_ pus: [Int]) -> [Int] {
        guard let map = config.cpuMap else { return pus }
        var seen = Set<Int>()
        return pus.compactMap { map[$0] }.filter { seen.insert($0).inserted }
    }

    /// Called with the batches of one or more of the launcher's wake-ups, in order. Each has the exits
    /// it collected and the successors it started in their place, taken after the exits, so a
    /// successor takes over PUs its predecessor just gave back.
    func launched(_ batches: [LaunchEvents], resultFiles: [UInt64: ResultFile.Outcome] = [:], overOutput: [UInt64: String] = [:]) {
        for events in batches { apply(events, resultFiles: resultFiles, overOutput: overOutput) }
        pump()
        scheduleFlush()
        if draining, running.isEmpty { flush(); if unacked.isEmpty { finishDrain() } }
        if abandoning { finishAbandonIfDone() }
    }

    private func apply(_ events: LaunchEvents, resultFiles: [UInt64: ResultFile.Outcome], overOutput: [UInt64: String]) {
        for (token, e) in events.exits {
            guard let key = byToken.removeValue(forKey: token), let r = running.removeValue(forKey: key) else { continue }
            // The one queued behind it has started in its place (or failed to): it heads the queue now.
            successorOf[key] = nil
            releaseSlots(r)
            if discard.remove(key) != nil { continue }
            if r.stopReason == nil, holdIfSlurmSignalled(key, e) { continue }
            let kind: TaskOutcome.Kind = r.stopReason ?? .exited
            var o = TaskOutcome(key: key, kind: kind, exitCode: e.exitCode, signal: e.signal, timedOut: e.timedOut,
                                startedAt: e.startedAt, endedAt: e.endedAt,
                                reason: kind == .drained ? "stopped at the pilot's drain deadline (walltime end or drain request)" : nil)
            switch resultFiles[token] {
            case .json(let text)?: o.result = text
            case .refused(let why)?:
                o.resultError = why
                if o.reason == nil { o.reason = "result refused: \(why)" }
            case .none?, nil: break
            }
            if let why = overOutput[token] { o.reason = why }
            report(o)
        }
        for s in events.starts {
            guard let key = byToken[s.token], var r = running[key] else { continue }
            switch s.result {
            case .success(let p):
                r.pid = p.pid
                r.startedAt = p.startedAt
                r.predecessor = nil
                running[key] = r
                hold(key, pus: r.pus, gpus: r.gpus, lease: r.lease)
                pendingStarted.append(RunningTask(key: key, pid: p.pid, startedAt: p.startedAt))
            case .failure(let error):
                byToken[s.token] = nil
                results?.forget(token: s.token)
                outputWatch?.forget(token: s.token)
                running[key] = nil
                successorOf[key] = nil
                if discard.remove(key) != nil { continue }
                report(TaskOutcome(key: key, kind: r.stopReason ?? .launchFailed, endedAt: now, reason: "\(error)"))
            }
        }
    }

    func resultPath(_ key: TaskKey) -> String { "\(config.logDir)/\(resultName(key))" }

    func resultName(_ key: TaskKey) -> String { "\(key.task).\(key.attempt).result.json" }

    func kernelDone(_ o: TaskOutcome) {
        guard let r = running.removeValue(forKey: o.key) else { return }
        releaseSlots(r)
        pump()
        if discard.remove(o.key) != nil { scheduleFlush(); return }
        var o = o
        if let stop = r.stopReason { o.kind = stop }
        report(o)
        scheduleFlush()
        if draining, running.isEmpty { flush() }
        if abandoning { finishAbandonIfDone() }
    }

    func report(_ o: TaskOutcome) {
        unacked[o.key] = o
        pendingFinished.append(o)
    }

    /// Stops a task: TERM to its process group, KILL after the grace period.
    func kill(_ key: TaskKey, discarding: Bool, as kind: TaskOutcome.Kind = .canceled) {
        if unqueue(key) {
            // Never started: nothing to signal. Report it so the manager frees its binding.
            if !discarding { report(TaskOutcome(key: key, kind: kind, endedAt: now, reason: "stopped before it started")); scheduleFlush() }
            pump()
            return
        }
        guard var r = running[key] else { return }
        if r.predecessor != nil, launcher.cancelSuccessor(token: r.token) {
            unchain(key)
            if !discarding { report(TaskOutcome(key: key, kind: kind, endedAt: now, reason: "stopped before it started")); scheduleFlush() }
            pump()
            return
        }
        if discarding { discard.insert(key) }
        r.stopReason = kind
        running[key] = r
        if let k = r.kernelTask { k.cancel(); return }
        launcher.signal(token: r.token, SIGTERM)
        let token = r.token
        let grace = config.killGrace
        Task { [weak self] in
            try? await Task.sleep(for: .milliseconds(Int(grace * 1000)))
            await self?.forceKill(token)
        }
    }

    func forceKill(_ token: UInt64) {
        guard byToken[token] != nil else { return }
        launcher.signal(token: token, SIGKILL)
    }

    // MARK: - Draining

    /// Walltime end, SIGTERM or SIGUSR1: take nothing new, let running tasks finish until the
    /// deadline, then stop them and report them so the manager requeues them.
    /// A drain that is already under way only moves its deadline earlier: the manager forwards
    /// Slurm's warning while the agent's own timer may have started draining for the same end.
    public func drain(reason: String, deadline: Double? = nil) {
        // The allocation's end bounds any deadline a drain request names.
        let end = [deadline, config.deadline].compactMap { $0 }.min() ?? (now + config.drainGrace)
        if draining {
            guard let current = drainDeadline, end < current else { return }
            drainDeadline = end
            log.info("drain deadline moved to \(Date(timeIntervalSince1970: end)) (\(reason))")
            send(.draining(reason, deadline: end))
            scheduleDrainStop(at: end)
            return
        }
        draining = true
        drainDeadline = end
        log.info("draining (\(reason)): \(running.count) running tasks may run until \(Date(timeIntervalSince1970: end))")
        send(.draining(reason, deadline: end))
        // Queued work goes back to the manager at once: it could run elsewhere while we drain.
        let t = now
        let queued = waiting.map(\.key) + forgetWaiting()
        for key in queued { report(TaskOutcome(key: key, kind: .drained, endedAt: t, reason: "agent is draining")) }
        flush()
        if running.isEmpty { finishDrainSoon(); return }
        scheduleDrainStop(at: end)
    }

    /// Running tasks are stopped `drainMargin` before `end`, so their requeue reaches the manager in time.
    private func scheduleDrainStop(at end: Double) {
        let wait = max(0, end - config.drainMargin - now)
        Task { [weak self] in
            try? await Task.sleep(for: .milliseconds(Int(wait * 1000)))
            await self?.stopForDrain(planned: end)
        }
    }

    /// `planned` is the deadline this stop was scheduled for: a stop made obsolete by an earlier
    /// deadline has already run, and one for a later deadline than the current one does nothing new.
    func stopForDrain(planned: Double) {
        guard let d = drainDeadline, planned <= d else { return }
        for (key, r) in running where r.stopReason == nil { kill(key, discarding: false, as: .drained) }
    }

    func scheduleDeadlineDrain(_ deadline: Double) {
        // Drain a little before the end so running tasks are stopped and reported in time.
        let lead = max(config.drainMargin * 2, 10)
        let wait = max(0, deadline - lead - now)
        Task { [weak self] in
            try? await Task.sleep(for: .milliseconds(Int(wait * 1000)))
            await self?.drain(reason: "walltime ends", deadline: deadline)
        }
    }

    private func finishDrainSoon() {
        Task { [weak self] in
            // Give the draining message a moment to reach the manager.
            try? await Task.sleep(for: .milliseconds(200))
            await self?.finishDrain()
        }
    }

    func finishDrain() {
        guard draining, running.isEmpty, heldExits.isEmpty else { return }
        log.info("drained: all tasks ended and their results were handed to the manager")
        stop()
    }
}
