#if canImport(Glibc)
import Glibc
#endif

/// One task to start.
public struct SpawnSpec: Sendable {
    /// An absolute path, a path with a `/` (taken as is), or a bare name looked up in the
    /// `PATH` of `environment`, in the parent, before the child exists.
    public var executable: String
    /// argv[1...]; argv[0] is `executable` as given.
    public var arguments: [String]
    /// The child's whole environment, with `baseEnvironment`: nothing is inherited from the agent.
    public var environment: [String: String]
    /// Variables every task gets unless `environment` sets the same name.
    public var baseEnvironment: EnvironmentBlock?
    public var workingDirectory: String?
    /// nil: /dev/null. Created 0644 and truncated.
    public var stdoutPath: String?
    /// nil: /dev/null. The same path as `stdoutPath` shares one descriptor, so lines interleave in order.
    public var stderrPath: String?
    /// OS PU ids for `sched_setaffinity` in the child; empty inherits the agent's affinity.
    public var cpus: [Int]
    /// `setsid()`, so the task leads its own process group and `signal(token:)` reaches its descendants.
    public var newSession: Bool
    /// Sent to the task when the agent process dies. Spawns that set it go through a
    /// process-lifetime helper thread, because the kernel sends it when the parent *thread* exits.
    public var parentDeathSignal: Int32?
    /// SIGTERM to the process group at the limit, SIGKILL `killGrace` later.
    public var timeLimit: Duration?
    public var killGrace: Duration
    /// Unique among this launcher's tasks: with a `TaskContainment`, the task gets its own cgroup
    /// (or key) under this name, and everything it started ends when it does. nil: uncontained.
    public var containmentName: String?

    public init(executable: String,
                arguments: [String] = [],
                environment: [String: String] = [:],
                workingDirectory: String? = nil,
                stdoutPath: String? = nil,
                stderrPath: String? = nil,
                cpus: [Int] = [],
                newSession: Bool = true,
                parentDeathSignal: Int32? = SIGKILL,
                timeLimit: Duration? = nil,
                killGrace: Duration = .seconds(5),
                baseEnvironment: EnvironmentBlock? = nil) {
        self.baseEnvironment = baseEnvironment
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.stdoutPath = stdoutPath
        self.stderrPath = stderrPath
        self.cpus = cpus
        self.newSession = newSession
        self.parentDeathSignal = parentDeathSignal
        self.timeLimit = timeLimit
        self.killGrace = killGrace
    }
}
