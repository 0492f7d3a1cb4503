import PilotCore

/// The classical side of an iterative stage (an optimiser, a training loop). The engine calls
/// `nextRound` with no results first, then with the outcomes of each finished round, until the
/// driver returns nil (converged or done) or the stage's `max_rounds` is reached.
public protocol IterativeDriver: Sendable {
    /// Tasks for the next round, or nil when done. An empty list also ends the stage.
    mutating func nextRound(previousResults: [TaskOutcomeSummary]) -> [TaskSpec]?
    /// The driver's result so far as JSON (e.g. best energy and parameters); the stage's result.
    var summary: String { get }
}

/// What the engine tells a driver about one finished task.
public struct TaskOutcomeSummary: Sendable, Hashable, Codable {
    public var localIndex: Int
    public var name: String?
    public var round: Int
    public var succeeded: Bool
    public var reason: String?
    public var resultJSON: String?

    public init(localIndex: Int, name: String?, round: Int, succeeded: Bool, reason: String? = nil, resultJSON: String? = nil) {
        self.localIndex = localIndex
        self.name = name
        self.round = round
        self.succeeded = succeeded
        self.reason = reason
        self.resultJSON = resultJSON
    }
}

/// Makes the driver for an iterative stage when it starts.
public typealias IterativeDriverFactory = @Sendable (IterativeStagePlan, WorkflowContext) throws(WorkflowError) -> any IterativeDriver
