/// What one wake-up of the reaper thread collected: exits first, then the successors it started
/// in their place (`ProcessLauncher.spawn(_:token:after:)`). A successor's start always arrives in
/// the same batch as its predecessor's exit, after it.
public struct LaunchEvents: Sendable {
    public var exits: [(token: UInt64, exit: ProcessExit)] = []
    public var starts: [SuccessorStart] = []

    public init(exits: [(token: UInt64, exit: ProcessExit)] = [], starts: [SuccessorStart] = []) {
        self.exits = exits
        self.starts = starts
    }

    public var isEmpty: Bool { exits.isEmpty && starts.isEmpty }
}

/// A successor the reaper started (or failed to start) the moment its predecessor was reaped.
public struct SuccessorStart: Sendable {
    public var token: UInt64
    public var result: Result<StartedProcess, LaunchError>

    public init(token: UInt64, result: Result<StartedProcess, LaunchError>) {
        self.token = token
        self.result = result
    }
}

public struct StartedProcess: Sendable, Equatable {
    public var pid: Int32
    /// Unix time, seconds.
    public var startedAt: Double

    public init(pid: Int32, startedAt: Double) {
        self.pid = pid
        self.startedAt = startedAt
    }
}
