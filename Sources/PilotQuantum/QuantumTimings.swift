/// Wall-clock split of a job: time queued for the device and time executing on it.
public struct QuantumTimings: Sendable, Codable, Hashable {
    public var queueWaitSeconds: Double
    public var executionSeconds: Double
    public var totalSeconds: Double

    public init(queueWaitSeconds: Double, executionSeconds: Double, totalSeconds: Double) {
        self.queueWaitSeconds = queueWaitSeconds
        self.executionSeconds = executionSeconds
        self.totalSeconds = totalSeconds
    }
}
