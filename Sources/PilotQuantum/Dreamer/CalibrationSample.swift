/// One recorded run: a task's features on the device it ran on, and how long it took.
public struct CalibrationSample: Sendable, Codable, Hashable {
    public var device: String
    public var features: TaskFeatures
    /// Seconds from the task's start to its end, by the agent's clock.
    public var seconds: Double

    public init(device: String, features: TaskFeatures, seconds: Double) {
        self.device = device
        self.features = features
        self.seconds = seconds
    }
}
