/// Settings passed to every `pilot agent` a pilot job starts.
public struct AgentOptions: Sendable, Equatable, Codable {
    /// Seconds between agent heartbeats to the manager.
    public var heartbeatInterval: Int
    /// How long before the wall-time end Slurm sends SIGUSR1 so agents can drain.
    public var drainSignalSeconds: Int

    public static let defaultHeartbeatInterval = 10
    public static let defaultDrainSignalSeconds = 60

    public init(heartbeatInterval: Int = AgentOptions.defaultHeartbeatInterval,
                drainSignalSeconds: Int = AgentOptions.defaultDrainSignalSeconds) {
        self.heartbeatInterval = heartbeatInterval
        self.drainSignalSeconds = drainSignalSeconds
    }
}
