/// How deep a task may queue at an agent depends on how long tasks like it run. Queueing hides the
/// round trip between a core freeing and its next task arriving, which matters for tasks of a few
/// milliseconds and not at all for long ones; queueing long tasks deep only ties them to one agent
/// while another may free first. So a request queues past `Scheduler.longTaskDepth` only once tasks
/// of its shape are known to be short (by their time request, or by the runtimes seen so far), and
/// as deep as agents allow only once they are known to take next to no time, where a round trip
/// through the manager and its store is longer than the tasks it brings.
extension Scheduler {
    /// The default depth agents and the manager advertise (`--prefetch`): reached only by tasks of
    /// at most `instantTaskSeconds`.
    public static let defaultPrefetch = 16
    /// The deepest a task of unknown or long runtime queues: one running and one waiting per core.
    public static let longTaskDepth = 2
    /// The deepest a short task queues.
    public static let shortTaskDepth = 4
    /// Tasks at or below this runtime may queue `shortTaskDepth` deep.
    public static let shortTaskSeconds = 0.05
    /// Tasks at or below this runtime may queue as deep as agents allow.
    public static let instantTaskSeconds = 0.002

    /// Feeds one finished run's duration into the running mean for its request shape.
    public mutating func observe(runtime seconds: Double, of request: ResourceRequest) {
        guard seconds.isFinite, seconds >= 0, maxDepth > Self.longTaskDepth else { return }
        if let m = runtimes[request] {
            // A short memory (weight 1/8) so a workload that turns long stops queueing deep within a few tasks.
            runtimes[request] = m + (seconds - m) / 8
        } else {
            runtimes[request] = seconds
        }
    }

    /// The deepest level `pickQueued` may use for a request: `maxDepth` for instant tasks, at most
    /// `shortTaskDepth` for short ones, else the long-task depth.
    func depthLimit(_ r: ResourceRequest, time: Double?) -> Int {
        guard maxDepth > Self.longTaskDepth else { return maxDepth }
        guard let t = time ?? runtimes[r], t <= Self.shortTaskSeconds else { return Self.longTaskDepth }
        return t <= Self.instantTaskSeconds ? maxDepth : min(maxDepth, Self.shortTaskDepth)
    }
}
