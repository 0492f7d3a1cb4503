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
    }

    struct State {
        var tasks: [UInt64: RunningTask] = [:]
        var tokenByFD: [Int32: UInt64] = [:]
        var reserved: Set<UInt64> = []
        var timers = TimerHeap()
        var nextSerial: UInt64 = 0
        var stopping = false
        var reaper: pthread_t?
    }

    typealias Batch = [(token: UInt64, exit: ProcessExit)]

    let state = Mutex(State())
    let epollFD: Int32
    let wakeFD: Int32
    let onExit: @Sendable (Batch) -> Void
    static let maxBatch = 256

    let directSpawn: Bool

    init(directSpawn: Bool = false, onExit: @escaping @Sendable (Batch) -> Void) {
        self.onExit = onExit
        self.directSpawn = directSpawn
        let epollFD = pilot_spawn_epoll_create()
        let wakeFD = pilot_spawn_eventfd()
        // Without these the launcher cannot work at all; they only fail when the process is
        // out of descriptors at start-up.
        precondition(epollFD >= 0 && wakeFD >= 0 && Self.devNull >= 0,
                     "ProcessLauncher: cannot create epoll/eventfd//dev/null (\(epollFD), \(wakeFD), \(Self.devNull))")
        precondition(pilot_spawn_epoll_add(epollFD, wakeFD, UInt64(wakeFD)) == 0, "ProcessLauncher: epoll_ctl failed")
        self.epollFD = epollFD
        self.wakeFD = wakeFD
    }

    /// Opened once for the process and never closed, so a spawn racing shutdown can never
    /// hand its child a descriptor number that was closed and reused.
    static let devNull: Int32 = open("/dev/null", O_RDWR | O_CLOEXEC)

    func start() {
        let retained = Unmanaged.passRetained(self)
        var thread = pthread_t()
        let rc = pthread_create(&thread, nil, { raw in
            let core = Unmanaged<LauncherCore>.fromOpaque(raw!).takeRetainedValue()
            core.reapLoop()
            return nil
        }, retained.toOpaque())
        precondition(rc == 0, "ProcessLauncher: cannot start the reaper thread (error \(rc))")
        state.withLock { $0.reaper = thread }
    }

    // MARK: spawning

    func spawn(_ spec: SpawnSpec, token: UInt64) throws(LaunchError) -> Int32 {
        try state.withLock { state throws(LaunchError) in
            guard !state.stopping else { throw LaunchError(.shutdown, "the launcher is shut down", errno: ECANCELED) }
            guard state.tasks[token] == nil, !state.reserved.contains(token) else {
                throw LaunchError(.duplicateToken, "token \(token) is already running", errno: EEXIST)
            }
            state.reserved.insert(token)
        }
        var result = pilot_spawn_result()
        do throws(LaunchError) {
            let prepared = try PreparedSpawn(spec, devNull: Self.devNull)
            let rc = prepared.withArgs { args in
                spec.parentDeathSignal == nil || directSpawn ? pilot_spawn(&args, &result) : pilot_spawn_via_helper(&args, &result)
            }
            if rc != 0 {
                let code = LaunchError.childStep(result.step)
                throw LaunchError(code, "cannot start \(spec.executable) (\(code.rawValue) failed)", errno: rc)
            }
        } catch {
            _ = state.withLock { $0.reserved.remove(token) }
            throw error
        }
        let startedAt = Clocks.unixSeconds()
        return try register(result, spec: spec, token: token, startedAt: startedAt)
    }

    private func register(_ result: pilot_spawn_result, spec: SpawnSpec, token: UInt64,
                          startedAt: Double) throws(LaunchError) -> Int32 {
        let outcome: Result<Bool, LaunchError> = state.withLock { state in
            state.reserved.remove(token)
            guard !state.stopping else {
                return .failure(LaunchError(.shutdown, "the launcher shut down during spawn", errno: ECANCELED))
            }
            let added = pilot_spawn_epoll_add(epollFD, result.pidfd, UInt64(result.pidfd))
            guard added == 0 else {
                return .failure(LaunchError(.watch, "cannot watch pid \(result.pid)", errno: -added))
            }
            state.nextSerial += 1
            state.tasks[token] = RunningTask(pid: result.pid, pidfd: result.pidfd, serial: state.nextSerial,
                                             groupLeader: spec.newSession, startedAt: startedAt,
                                             killGrace: spec.killGrace.nanoseconds)
            state.tokenByFD[result.pidfd] = token
            guard let limit = spec.timeLimit else { return .success(false) }
            let deadline = Clocks.monotonicNanoseconds() &+ limit.nanoseconds
            let wakeReaper = state.timers.earliest.map { deadline < $0 } ?? true
            state.timers.push(.init(deadline: deadline, token: token, serial: state.nextSerial, action: .terminate))
            return .success(wakeReaper)
        }
        switch outcome {
        case .success(let wakeReaper):
            if wakeReaper { _ = pilot_spawn_eventfd_signal(wakeFD) }
            return result.pid
        case .failure(let error):
            // Nobody will watch this child: do not leave it running or unreaped.
            kill(result.pid, SIGKILL)
            var status: Int32 = 0
            while waitpid(result.pid, &status, 0) < 0 && errno == EINTR {}
            close(result.pidfd)
            throw error
        }
    }

    // MARK: signals

    /// Only while the task is unreaped, under the lock the reaper takes before reaping,
    /// so the pid (and process group id) cannot have been reused.
    func signal(token: UInt64, _ sig: Int32) {
        state.withLock { state in
            if let task = state.tasks[token] { Self.sendToTask(sig, task) }
        }
    }

    func signalAll(_ sig: Int32) {
        state.withLock { state in
            for task in state.tasks.values { Self.sendToTask(sig, task) }
        }
    }

    var running: Int { state.withLock { $0.tasks.count } }

    func shutdown() {
        let reaper: pthread_t? = state.withLock { state in
            guard !state.stopping else { return nil }
            state.stopping = true
            return state.reaper
        }
        guard let reaper else { return }
        _ = pilot_spawn_eventfd_signal(wakeFD)
        // From inside onExit the reaper is the caller: it finishes by itself after the callback.
        if pthread_equal(reaper, pthread_self()) == 0 {
            pthread_join(reaper, nil)
        }
    }
}
