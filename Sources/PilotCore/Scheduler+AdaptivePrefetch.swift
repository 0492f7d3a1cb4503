/// How deep a task may queue at an agent depends on how long tasks like it run. Queueing hides the
/// round trip between a core freeing and its next task arriving, which matters for tasks of a few
/// milliseconds and not at all for long ones; queueing long tasks deep only ties them to one agent
/// while another may free first. So a request queues past `Scheduler.longTaskDepth` only once tasks
/// of its shape are known to be short: by their time request, or by the runtimes seen so far.
extension Scheduler {
    /// The default depth agents and the manager advertise (`--prefetch`): reached only by short tasks.
    public static let defaultPrefetch = 4
    /// The deepest a task of unknown or long runtime queues: one running and one waiting per core.
    public static let longTaskDepth = 2
    /// Tasks at or below this runtime may queue as deep as agents allow.
    public static let shortTaskSeconds = 0.05

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

    /// The deepest level `pickQueued` may use for a request: `maxDepth` for short tasks, else the long-task depth.
    func depthLimit(_ r: ResourceRequest, time: Double?) -> Int {
        guard maxDepth > Self.longTaskDepth else { return maxDepth }
        if let t = time ?? runtimes[r], t <= Self.shortTaskSeconds { return maxDepth }
        return Self.longTaskDepth
    }
}
