import PilotCore

/// A fan-out of independent tasks followed by one fan-in task that depends on all of them.
/// Circuit cutting is the motivating case, but nothing here is specific to it.
public struct TwoPhaseWorkload: Sendable, Hashable {
    public enum FanOut: Sendable, Hashable {
        /// The tasks are known now.
        case tasks([TaskSpec])
        /// Someone else must produce the tasks (the engine asks with `.planFanOut`).
        case deferred(CuttingStagePlan)
    }
    public var fanOut: FanOut
    /// Resources, time and retries for fan-out tasks produced later: the producer fills in payloads.
    public var fanOutTemplate: TaskSpec
    /// Runs after every fan-out task succeeded; its result JSON is the workload's result.
    public var fanIn: TaskSpec

    public init(fanOut: FanOut, fanOutTemplate: TaskSpec, fanIn: TaskSpec) {
        self.fanOut = fanOut
        self.fanOutTemplate = fanOutTemplate
        self.fanIn = fanIn
    }
}
