import PilotCore

/// What the store remembers of a workflow besides its document: every task the engine had
/// submitted (by stage and local index, with its outcome so far), each fan-out answer the lead
/// gave, and how many retries were applied. `WorkflowEngine.recover` rebuilds the engine from it.
///
/// Nothing here is engine state: it is the engine's inputs, kept by the store anyway (task rows) or
/// written in the transaction that made them matter (a plan with its tasks). The engine is a
/// deterministic function of its document and these inputs, so replaying them gives back its state
/// exactly, including iterative drivers' optimiser state.
public struct WorkflowHistory: Sendable, Hashable {
    public struct StoredTask: Sendable, Hashable {
        /// The queue's task id.
        public var id: Int64
        public var stage: String
        public var localIndex: Int
        public var state: TaskState
        public var reason: String?
        public var resultJSON: String?
        public var startedAt: Double?
        public var endedAt: Double?

        public init(id: Int64, stage: String, localIndex: Int, state: TaskState, reason: String? = nil,
                    resultJSON: String? = nil, startedAt: Double? = nil, endedAt: Double? = nil) {
            self.id = id
            self.stage = stage
            self.localIndex = localIndex
            self.state = state
            self.reason = reason
            self.resultJSON = resultJSON
            self.startedAt = startedAt
            self.endedAt = endedAt
        }

        /// The start the engine has to hear about, if the task got that far.
        public var startedEvent: WorkflowEvent? {
            guard state == .running || (state.isTerminal && startedAt != nil) else { return nil }
            return .taskStarted(workload: stage, localIndex: localIndex, at: startedAt)
        }

        /// The final outcome, for a task that has one.
        public var finishedEvent: WorkflowEvent? {
            guard state.isTerminal else { return nil }
            return .taskFinished(workload: stage, localIndex: localIndex, succeeded: state == .done, reason: reason,
                                 resultJSON: resultJSON, at: endedAt)
        }
    }

    /// The lead's answer to one `.planFanOut`, as the engine was given it.
    public enum FanOut: Sendable, Hashable, Codable {
        case planned(tasks: [TaskSpec], fanIn: TaskSpec?)
        case failed(reason: String)

        public init?(_ event: WorkflowEvent) {
            switch event {
            case .fanOutPlanned(_, let tasks, let fanIn): self = .planned(tasks: tasks, fanIn: fanIn)
            case .fanOutFailed(_, let reason): self = .failed(reason: reason)
            default: return nil
            }
        }

        public func event(stage: String) -> WorkflowEvent {
            switch self {
            case .planned(let tasks, let fanIn): return .fanOutPlanned(workload: stage, tasks: tasks, fanIn: fanIn)
            case .failed(let reason): return .fanOutFailed(workload: stage, reason: reason)
            }
        }
    }

    public var tasks: [StoredTask]
    /// Stage → attempt (1 for the first run) → answer.
    public var fanOuts: [String: [Int: FanOut]]
    public var retries: Int

    public init(tasks: [StoredTask] = [], fanOuts: [String: [Int: FanOut]] = [:], retries: Int = 0) {
        self.tasks = tasks
        self.fanOuts = fanOuts
        self.retries = retries
    }
}
