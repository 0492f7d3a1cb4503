import PilotCore

/// An iterative stage as the engine runs it: a driver asked for one round of tasks at a time.
public struct IterativeStagePlan: Sendable, Hashable {
    public enum Driver: Sendable, Hashable {
        /// Implemented outside this module and chosen by name (`vqe`, `qml`).
        case builtin(String)
        /// A command run once per round; `{round}` and `{i}` are still in it, for the driver to fill.
        case command([String])
    }
    public var stage: String
    public var driver: Driver
    public var params: ParamValue
    public var maxRounds: Int
    /// The stage's settings applied to an empty task: drivers start their tasks from this.
    public var taskTemplate: TaskSpec

    public init(stage: String, driver: Driver, params: ParamValue, maxRounds: Int, taskTemplate: TaskSpec) {
        self.stage = stage
        self.driver = driver
        self.params = params
        self.maxRounds = maxRounds
        self.taskTemplate = taskTemplate
    }
}
