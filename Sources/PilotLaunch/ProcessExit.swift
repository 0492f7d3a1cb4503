/// How a task ended.
public struct ProcessExit: Sendable, Equatable {
    public var pid: Int32
    /// Set when the task called exit; nil when a signal killed it.
    public var exitCode: Int32?
    /// The terminating signal, if any.
    public var signal: Int32?
    /// The launcher sent SIGTERM because `timeLimit` passed.
    public var timedOut: Bool
    /// Unix time, seconds.
    public var startedAt: Double
    public var endedAt: Double
    /// From wait4's rusage: the task and any descendants it waited for.
    public var userCPUSeconds: Double
    public var systemCPUSeconds: Double

    public init(pid: Int32, exitCode: Int32?, signal: Int32?, timedOut: Bool, startedAt: Double,
                endedAt: Double, userCPUSeconds: Double, systemCPUSeconds: Double) {
        self.pid = pid
        self.exitCode = exitCode
        self.signal = signal
        self.timedOut = timedOut
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.userCPUSeconds = userCPUSeconds
        self.systemCPUSeconds = systemCPUSeconds
    }

    public var succeeded: Bool { exitCode == 0 }
}
