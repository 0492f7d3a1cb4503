import CPilotSpawn
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The launcher's state and its reaper thread. Separate from `ProcessLauncher` so the
/// thread's reference does not keep the public object alive: dropping the launcher shuts down.
final class LauncherCore: Sendable {
    struct RunningTask {
        var pid: pid_t
        var pidfd: Int32
        var serial: UInt64
        var groupLeader: Bool
        var startedAt: Double
        var killGrace: UInt64
        var timedOut = false
        /// The reaper whose epoll set watches it.
        var reaper: Int
        /// Started by that reaper's thread as a successor: its parent-death signal is tied to that thread.
        var byReaper = false
        /// Its name in `containment`: its leftovers are ended when it exits.
        var containedAs: String?
    }

    /// A spawn prepared on the caller's thread, started by the reaper the moment its predecessor is reaped.
    struct Successor {
        var token: UInt64
        var prepared: PreparedSpawn
        var newSession: Bool
        var timeLimit: UInt64?
        var killGrace: UInt64
        var executable: String
        var containedAs: String?
    }

    struct State {
        var tasks: [UInt64: RunningTask] = [:]
        var tokenByFD: [Int32: UInt64] = [:]
        var reserved: Set<UInt64> = []
        /// By predecessor token.
        var successors: [UInt64: Successor] = [:]
        /// Successor token → predecessor token, while it waits.
        var predecessorOf: [UInt64: UInt64] = [:]
        /// Successors the reaper took and is starting, with a signal asked for meanwhile (0: none).
        var starting: [UInt64: Int32] = [:]
        var timers = TimerHeap()
        var nextSerial: UInt64 = 0
        var stopping = false
        /// By `ReaperThread.index`: 0 is the general reaper (its thread set by `start`), the others
        /// are bound to one CPU each and made on first use.
        var reapers: [(reaper: ReaperThread, thread: pthread_t?)] = []
        var reaperByCPU: [Int: Int] = [:]
        /// Leaders that exited and are being reaped (no longer in `tasks`): not orphans.
        var reaping: Set<pid_t> = []

        /// A successor may queue behind a running task, one being started, or one queued itself.
        func canQueue(after predecessor: UInt64) -> Bool {
            successors[predecessor] == nil
                && (tasks[predecessor] != nil || predecessorOf[predecessor] != nil || starting[predecessor] != nil)
        }

        /// Pids of our own task leaders, or nil while a spawn is in flight (see TaskContainment.end).
        var trackedPIDs: Set<pid_t>? {
            guard reserved.isEmpty, starting.isEmpty else { return nil }
            return Set(tasks.values.map(\.pid)).union(reaping)
        }

        /// The kernel sends a child its parent-death signal when the *thread* that cloned it exits,
        /// so after shutdown a reaper stays (reaping silently) while a child it started runs.
        func lingers(_ reaper: Int) -> Bool { tasks.values.contains { $0.byReaper && $0.reaper == reaper } }
    }

    let state = Mutex(State())
    /// Also in `State.reapers` at index 0; kept here so waking it for a new time limit takes no lock.
    let general: ReaperThread
    let onEvents: @Sendable ([LaunchEvents]) -> Void
    static let maxBatch = 256
    /// How long a reaper may keep wake-ups whose cores all went on with a queued successor, each
    /// with another queued behind it, before it reports them; 0: report every wake-up at once.
    let holdQueued: UInt64
    /// Held wake-ups past this many are reported without waiting.
    static let maxHeld = 64

    let directSpawn: Bool
    let containment: TaskContainment?

    init(directSpawn: Bool = false, containment: TaskContainment? = nil, holdQueued: UInt64 = 0,
         onEvents: @escaping @Sendable ([LaunchEvents]) -> Void) {
        self.onEvents = onEvents
        self.holdQueued = holdQueued
        self.directSpawn = directSpawn
        self.containment = containment
        // Without these the launcher cannot work at all; they only fail when the process is
        // out of descriptors at start-up.
        guard let general = ReaperThread(index: 0, cpu: nil), Self.devNull >= 0 else {
            preconditionFailure("ProcessLauncher: cannot create epoll/eventfd//dev/null")
        }
        self.general = general
        state.withLock { $0.reapers = [(general, nil)] }
    }

    /// Opened once for the process and never closed, so a spawn racing shutdown can never
    /// hand its child a descriptor number that was closed and reused.
    static let devNull: Int32 = open("/dev/null", O_RDWR | O_CLOEXEC)

    func start() {
        guard let thread = general.start({ [self] in reapLoop($0) }) else {
            preconditionFailure("ProcessLauncher: cannot start the reaper thread")
        }
        state.withLock { $0.reapers[0].thread = thread }
    }

    /// The reaper that watches a task pinned to `cpus`: the one bound to its lowest CPU, started on
    /// first use. Falls back to the general reaper when the system refuses another thread.
    func reaper(for cpus: [Int], _ state: inout State) -> Int {
        guard !state.stopping, let cpu = cpus.min() else { return 0 }
        if let index = state.reaperByCPU[cpu] { return index }
        let index = state.reapers.count
        guard let reaper = ReaperThread(index: index, cpu: cpu) else { return 0 }
        guard let thread = reaper.start({ [self] in reapLoop($0) }) else {
            reaper.closeDescriptors()
            return 0
        }
        state.reapers.append((reaper, thread))
        state.reaperByCPU[cpu] = index
        return index
    }

    // MARK: spawning

    func spawn(_ spec: SpawnSpec, token: UInt64) throws(LaunchError) -> Int32 {
        try state.withLock { state throws(LaunchError) in
            guard !state.stopping else { throw LaunchError(.shutdown, "the launcher is shut down", errno: ECANCELED) }
            guard state.tasks[token] == nil, !state.reserved.contains(token), state.predecessorOf[token] == nil,
                  state.starting[token] == nil else {
                throw LaunchError(.duplicateToken, "token \(token) is already running", errno: EEXIST)
            }
            state.reserved.insert(token)
        }
        var result = pilot_spawn_result()
        let spec = contained(spec)
        do throws(LaunchError) {
            let prepared = try prepare(spec)
            let rc = prepared.withArgs { args in
                spec.parentDeathSignal == nil || directSpawn ? pilot_spawn(&args, &result) : pilot_spawn_via_helper(&args, &result)
            }
            if rc != 0 {
                let code = LaunchError.childStep(result.step)
                throw LaunchError(code, "cannot start \(spec.executable) (\(code.rawValue) failed)", errno: rc)
            }
        } catch {
            if let name = spec.containmentName { containment?.abandon(name) }
            _ = state.withLock { $0.reserved.remove(token) }
            throw error
        }
        let startedAt = Clocks.unixSeconds()
        return try register(result, spec: spec, token: token, startedAt: startedAt)
    }

    private func register(_ result: pilot_spawn_result, spec: SpawnSpec, token: UInt64,
                          startedAt: Double) throws(LaunchError) -> Int32 {
        let limit = spec.timeLimit?.nanoseconds
        let outcome = state.withLock { state in
            state.reserved.remove(token)
            let reaper = reaper(for: spec.cpus, &state)
            return add(result, token: token, newSession: spec.newSession, startedAt: startedAt,
                       timeLimit: limit, killGrace: spec.killGrace.nanoseconds, reaper: reaper, byReaper: false,
                       containedAs: spec.containmentName, &state)
        }
        return try finishRegistration(result, outcome)
    }

    /// Watches a started child with `reaper`; the caller holds the lock. `.success(true)`: wake the
    /// general reaper, its next timer moved earlier.
    func add(_ result: pilot_spawn_result, token: UInt64, newSession: Bool, startedAt: Double, timeLimit: UInt64?,
             killGrace: UInt64, reaper: Int, byReaper: Bool, containedAs: String?,
             _ state: inout State) -> Result<Bool, LaunchError> {
        guard !state.stopping else {
            return .failure(LaunchError(.shutdown, "the launcher shut down during spawn", errno: ECANCELED))
        }
        let added = pilot_spawn_epoll_add(state.reapers[reaper].reaper.epollFD, result.pidfd, UInt64(result.pidfd))
        guard added == 0 else {
            return .failure(LaunchError(.watch, "cannot watch pid \(result.pid)", errno: -added))
        }
        state.nextSerial += 1
        state.tasks[token] = RunningTask(pid: result.pid, pidfd: result.pidfd, serial: state.nextSerial,
                                         groupLeader: newSession, startedAt: startedAt,
                                         killGrace: killGrace, reaper: reaper, byReaper: byReaper,
                                         containedAs: containedAs)
        state.tokenByFD[result.pidfd] = token
        guard let timeLimit else { return .success(false) }
        let deadline = Clocks.monotonicNanoseconds() &+ timeLimit
        let wakeReaper = state.timers.earliest.map { deadline < $0 } ?? true
        state.timers.push(.init(deadline: deadline, token: token, serial: state.nextSerial, action: .terminate))
        return .success(wakeReaper)
    }

    func finishRegistration(_ result: pilot_spawn_result, _ outcome: Result<Bool, LaunchError>) throws(LaunchError) -> Int32 {
        switch outcome {
        case .success(let wakeReaper):
            if wakeReaper { general.wake() }
            return result.pid
        case .failure(let error):
            // Nobody will watch this child: do not leave it running or unreaped.
            kill(result.pid, SIGKILL)
            var info = pilot_spawn_exit()
            _ = pilot_spawn_reap(result.pid, 1, &info)
            close(result.pidfd)
            throw error
        }
    }

    // MARK: successors

    /// Prepares `spec` now and starts it on the reaper thread the moment `predecessor` has been
    /// reaped, with no hop through the caller. The predecessor may itself be a queued successor, so
    /// a core can have a queue of them. Returns false, starting nothing, when the predecessor is
    /// neither running nor queued (its exit may still be on its way) or already has a successor.
    /// Preparation errors (a missing executable...) are thrown here; a failed clone or exec is
    /// reported as the successor's start.
    func spawn(_ spec: SpawnSpec, token: UInt64, after predecessor: UInt64) throws(LaunchError) -> Bool {
        // Checked again below; this spares preparing a spawn for a predecessor already reaped.
        guard state.withLock({ $0.canQueue(after: predecessor) }) else { return false }
        let spec = contained(spec)
        let prepared = try prepare(spec)
        let successor = Successor(token: token, prepared: prepared, newSession: spec.newSession,
                                  timeLimit: spec.timeLimit?.nanoseconds, killGrace: spec.killGrace.nanoseconds,
                                  executable: spec.executable, containedAs: spec.containmentName)
        let queued = try state.withLock { state throws(LaunchError) -> Bool in
            guard !state.stopping else { throw LaunchError(.shutdown, "the launcher is shut down", errno: ECANCELED) }
            guard state.tasks[token] == nil, !state.reserved.contains(token), state.predecessorOf[token] == nil,
                  state.starting[token] == nil else {
                throw LaunchError(.duplicateToken, "token \(token) is already running", errno: EEXIST)
            }
            guard state.canQueue(after: predecessor) else { return false }
            state.successors[predecessor] = successor
            state.predecessorOf[token] = predecessor
            return true
        }
        if !queued, let name = spec.containmentName { containment?.abandon(name) }
        return queued
    }

    /// The spec with the task's key in its environment, when it is contained.
    private func contained(_ spec: SpawnSpec) -> SpawnSpec {
        guard let name = spec.containmentName, let containment, containment.mechanism != .none else {
            var plain = spec
            plain.containmentName = nil
            return plain
        }
        var spec = spec
        spec.environment[TaskContainment.variable] = containment.tag(name)
        return spec
    }

    /// Prepares the child, in its own cgroup when the containment uses them.
    private func prepare(_ spec: SpawnSpec) throws(LaunchError) -> PreparedSpawn {
        guard let name = spec.containmentName, let containment else { return try PreparedSpawn(spec, devNull: Self.devNull) }
        let fd = try containment.enter(name)
        do throws(LaunchError) {
            return try PreparedSpawn(spec, devNull: Self.devNull, cgroupDirFD: fd)
        } catch {
            // The descriptor is the pool's: giving the cgroup back keeps it open for the next task.
            containment.abandon(name)
            throw error
        }
    }

    /// Drops a successor that has not started; one queued behind it moves up in its place.
    /// False: it started already (or was never queued), and its start or failure is, or will be, reported.
    func cancelSuccessor(token: UInt64) -> Bool {
        state.withLock { state in
            guard let predecessor = state.predecessorOf.removeValue(forKey: token) else { return false }
            if let name = state.successors.removeValue(forKey: predecessor)?.containedAs { containment?.abandon(name) }
            if let next = state.successors.removeValue(forKey: token) {
                state.successors[predecessor] = next
                state.predecessorOf[next.token] = predecessor
            }
            return true
        }
    }

    /// What became of a queue of successors whose head the reaper took.
    struct ChainStart {
        var starts: [SuccessorStart] = []
        /// A process runs in the predecessor's place.
        var refilled = false
        /// And another successor is queued behind it.
        var queuedBehind = false
    }

    /// Starts `first`; when it cannot start, the successor queued behind it takes its place, and so on.
    func startChain(_ first: Successor, reaper: Int) -> ChainStart {
        var chain = ChainStart()
        var next: Successor? = first
        while let s = next {
            let started = startSuccessor(s, reaper: reaper)
            chain.starts.append(started.start)
            if case .success = started.start.result {
                chain.refilled = true
                chain.queuedBehind = started.queuedBehind
                return chain
            }
            next = started.next
        }
        return chain
    }

    /// On the thread of `reaper`, which then watches it; lock not held. On failure, `next` is the
    /// successor that was queued behind it, taken to start in its place; on success, `queuedBehind`
    /// says whether one waits behind it.
    func startSuccessor(_ s: Successor, reaper: Int) -> (start: SuccessorStart, next: Successor?, queuedBehind: Bool) {
        var result = pilot_spawn_result()
        let rc = s.prepared.withArgs { pilot_spawn(&$0, &result) }
        guard rc == 0 else {
            if let name = s.containedAs { containment?.abandon(name) }
            let next = state.withLock { state in
                state.starting.removeValue(forKey: s.token)
                return takeSuccessor(of: s.token, &state)
            }
            let code = LaunchError.childStep(result.step)
            return (SuccessorStart(token: s.token, result: .failure(LaunchError(code, "cannot start \(s.executable) (\(code.rawValue) failed)", errno: rc))), next, false)
        }
        let startedAt = Clocks.unixSeconds()
        let (outcome, pending, next, queuedBehind) = state.withLock { state in
            let pending = state.starting.removeValue(forKey: s.token) ?? 0
            let outcome = add(result, token: s.token, newSession: s.newSession, startedAt: startedAt, timeLimit: s.timeLimit,
                              killGrace: s.killGrace, reaper: reaper, byReaper: true, containedAs: s.containedAs, &state)
            // Not watched, so it will never be reaped here: whatever queued behind it starts now.
            if case .failure = outcome { return (outcome, pending, takeSuccessor(of: s.token, &state), false) }
            return (outcome, pending, nil, state.successors[s.token] != nil)
        }
        do throws(LaunchError) {
            let pid = try finishRegistration(result, outcome)
            // A signal sent while it was being started: deliver it now that it has a pid.
            if pending != 0 { signal(token: s.token, pending) }
            return (SuccessorStart(token: s.token, result: .success(StartedProcess(pid: pid, startedAt: startedAt))), nil, queuedBehind)
        } catch {
            return (SuccessorStart(token: s.token, result: .failure(error)), next, false)
        }
    }

    /// Takes the successor queued behind `token` to be started now; the caller holds the lock.
    func takeSuccessor(of token: UInt64, _ state: inout State) -> Successor? {
        guard let s = state.successors.removeValue(forKey: token) else { return nil }
        state.predecessorOf[s.token] = nil
        state.starting[s.token] = 0
        return s
    }

    // MARK: signals

    /// Only while the task is unreaped, under the lock the reaper takes before reaping,
    /// so the pid (and process group id) cannot have been reused.
    func signal(token: UInt64, _ sig: Int32) {
        state.withLock { state in
            if let task = state.tasks[token] {
                Self.sendToTask(sig, task)
            } else if let pending = state.starting[token], pending != SIGKILL {
                state.starting[token] = sig
            }
        }
    }

    func signalAll(_ sig: Int32) {
        state.withLock { state in
            for task in state.tasks.values { Self.sendToTask(sig, task) }
        }
    }

    var running: Int { state.withLock { $0.tasks.count } }

    func shutdown() {
        let stop: [(reaper: ReaperThread, thread: pthread_t, lingers: Bool)]? = state.withLock { state in
            guard !state.stopping, state.reapers[0].thread != nil else { return nil }
            state.stopping = true
            state.successors.removeAll()
            state.predecessorOf.removeAll()
            return state.reapers.compactMap { r in r.thread.map { (r.reaper, $0, state.lingers(r.reaper.index)) } }
        }
        guard let stop else { return }
        for s in stop { s.reaper.wake() }
        for s in stop {
            // From inside onEvents the reaper is the caller: it finishes by itself after the callback.
            guard pthread_equal(s.thread, pthread_self()) == 0 else { continue }
            // A reaper that started children keeps running until they exit (see `State.lingers`):
            // waiting for that here could take as long as the longest task.
            if s.lingers { pthread_detach(s.thread) } else { pthread_join(s.thread, nil) }
        }
    }
}
