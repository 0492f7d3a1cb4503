/// Starts tasks and reports their exits.
///
/// Spawning uses clone(CLONE_VM|CLONE_VFORK) with everything prepared beforehand. Reaper threads
/// (a general one, which also enforces time limits from one timer heap, and one per CPU in use)
/// wait on pidfds with epoll, start queued successors of the tasks they reap, and deliver exits and
/// starts in batches.
public final class ProcessLauncher: Sendable {
    private let core: LauncherCore

    /// `onExit` runs on the launcher's reaper thread with every exit collected in one wake-up.
    /// Keep it short; exits queue in the kernel meanwhile, nothing is lost.
    ///
    /// The kernel ties `PR_SET_PDEATHSIG` to the *thread* that forks, and Swift's pool threads come
    /// and go, so by default a spawn with a parent-death signal goes through one long-lived helper
    /// thread. Pass `callersOutliveChildren` when every `spawn` comes from a thread that lives as long
    /// as the process (an event loop): the spawn then happens on the caller, without two hand-offs.
    public convenience init(callersOutliveChildren: Bool = false,
                            onExit: @escaping @Sendable ([(token: UInt64, exit: ProcessExit)]) -> Void) {
        self.init(callersOutliveChildren: callersOutliveChildren, onEvents: { onExit($0.exits) })
    }

    /// As `init(callersOutliveChildren:onExit:)`, for callers that queue successors: each batch
    /// also carries the successors the reaper started, after the exits that freed their place.
    ///
    /// A task pinned to CPUs is watched by a reaper thread bound to the lowest of them, started on
    /// first use; batches from different reapers may interleave.
    ///
    /// With `containment`, a task spawned with a `containmentName` is contained: when it exits,
    /// whatever it started that still runs is ended (see `TaskContainment`).
    public convenience init(callersOutliveChildren: Bool = false, containment: TaskContainment? = nil,
                            onEvents: @escaping @Sendable (LaunchEvents) -> Void) {
        self.init(callersOutliveChildren: callersOutliveChildren, containment: containment,
                  onBatches: { for events in $0 { onEvents(events) } })
    }

    /// As `init(callersOutliveChildren:containment:onEvents:)`, with the batches of one or more
    /// wake-ups in one call, in the order they happened. With `holdQueued` above zero, a wake-up
    /// whose every freed core went on with a queued successor that has another queued behind it
    /// may be held up to that long, to go with a later one: a caller that keeps each core's queue
    /// two deep is then woken once for several exits rather than for each. A batch with an exit
    /// that left its core without a successor, a failed start, or a start with nothing queued
    /// behind it goes at once, with everything held before it.
    public init(callersOutliveChildren: Bool = false, containment: TaskContainment? = nil,
                holdQueued: Duration = .zero, onBatches: @escaping @Sendable ([LaunchEvents]) -> Void) {
        core = LauncherCore(directSpawn: callersOutliveChildren, containment: containment,
                            holdQueued: holdQueued.nanoseconds, onEvents: onBatches)
        core.start()
    }

    deinit { core.shutdown() }

    /// Starts a task and returns its pid once it has exec'd. Failures before exec (a missing
    /// executable, a bad working directory or CPU set...) are thrown here, with the step and errno.
    public func spawn(_ spec: SpawnSpec, token: UInt64) throws(LaunchError) -> Int32 {
        try core.spawn(spec, token: token)
    }

    /// Queues `spec` to start on the reaper thread the moment the task `predecessor` has exited and
    /// been reaped, without waiting for the caller to hear of the exit: the core a task frees is
    /// busy again within one wake-up. Its start (pid, or why clone/exec failed) is reported in the
    /// same batch as the predecessor's exit. The predecessor may be a queued successor itself: a
    /// core then has a queue, and a successor that fails to start is followed at once by the one
    /// queued behind it. Returns false, queuing nothing, when the predecessor is neither running
    /// nor queued any more, or already has a successor. Errors found while preparing it (a missing
    /// executable, an unwritable log) are thrown here.
    ///
    /// The child's parent-death signal is tied to the reaper thread, which therefore outlives
    /// `shutdown` as long as such a child runs.
    public func spawn(_ spec: SpawnSpec, token: UInt64, after predecessor: UInt64) throws(LaunchError) -> Bool {
        try core.spawn(spec, token: token, after: predecessor)
    }

    /// Whether `spawn(_:token:after:)` would queue behind `predecessor` now: lets a caller skip
    /// building a spec that would be refused. The answer can change before that call.
    public func canQueueSuccessor(after predecessor: UInt64) -> Bool {
        core.state.withLock { $0.canQueue(after: predecessor) }
    }

    /// Takes back a queued successor; one queued behind it moves up in its place. False when it
    /// already started (or was never queued): its start is then reported, and `signal(token:_:)`
    /// reaches it, even while it is being started.
    public func cancelSuccessor(token: UInt64) -> Bool {
        core.cancelSuccessor(token: token)
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

    /// Stops the reaper thread and drops queued successors. Running children are not killed, and
    /// no more exits are reported. Those the reaper itself started are still reaped, silently, by
    /// the reaper, which stays until they exit; the others are left unreaped.
    /// Safe to call more than once, and from inside onExit.
    public func shutdown() {
        core.shutdown()
    }
}
