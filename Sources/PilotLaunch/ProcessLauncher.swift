/// Starts tasks and reports their exits.
///
/// Spawning uses clone(CLONE_VM|CLONE_VFORK) with everything prepared beforehand; a dedicated
/// reaper thread waits on pidfds with epoll, enforces time limits from one timer heap and
/// delivers exits in batches.
public final class ProcessLauncher: Sendable {
    private let core: LauncherCore

    /// `onExit` runs on the launcher's reaper thread with every exit collected in one wake-up.
    /// Keep it short; exits queue in the kernel meanwhile, nothing is lost.
    ///
    /// The kernel ties `PR_SET_PDEATHSIG` to the *thread* that forks, and Swift's pool threads come
    /// and go, so by default a spawn with a parent-death signal goes through one long-lived helper
    /// thread. Pass `callersOutliveChildren` when every `spawn` comes from a thread that lives as long
    /// as the process (an event loop): the spawn then happens on the caller, without two hand-offs.
    public init(callersOutliveChildren: Bool = false, onExit: @escaping @Sendable ([(token: UInt64, exit: ProcessExit)]) -> Void) {
        core = LauncherCore(directSpawn: callersOutliveChildren, onExit: onExit)
        core.start()
    }

    deinit { core.shutdown() }

    /// Starts a task and returns its pid once it has exec'd. Failures before exec (a missing
    /// executable, a bad working directory or CPU set...) are thrown here, with the step and errno.
    public func spawn(_ spec: SpawnSpec, token: UInt64) throws(LaunchError) -> Int32 {
        try core.spawn(spec, token: token)
    }

    /// Signals the task's process group (the task alone if it was started without `newSession`).
    /// A task that already exited is ignored.
    public func signal(token: UInt64, _ sig: Int32) {
        core.signal(token: token, sig)
    }

    public func signalAll(_ sig: Int32) {
        core.signalAll(sig)
    }

    /// Tasks started and not yet reported.
    public var running: Int { core.running }

    /// Stops the reaper thread. Running children are neither killed nor reaped any more.
    /// Safe to call more than once, and from inside onExit.
    public func shutdown() {
        core.shutdown()
    }
}
