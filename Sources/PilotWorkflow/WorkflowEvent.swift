import PilotCore

/// What the lead tells the engine. `workload` is the stage name; `localIndex` is the index the
/// engine gave the task in its `.submit` action. Times are whatever clock the lead uses (seconds).
public enum WorkflowEvent: Sendable, Hashable {
    case tasksSubmitted(workload: String, localIndices: [Int], at: Double? = nil)
    case taskStarted(workload: String, localIndex: Int, at: Double? = nil)
    /// The task's final outcome, after its own retries.
    case taskFinished(workload: String, localIndex: Int, succeeded: Bool, reason: String? = nil,
                      resultJSON: String? = nil, at: Double? = nil)
    /// Answer to `.planFanOut`: the fan-out tasks (payloads filled in) and optionally a fan-in task
    /// replacing the placeholder.
    case fanOutPlanned(workload: String, tasks: [TaskSpec], fanIn: TaskSpec? = nil)
    /// `.planFanOut` could not be answered (e.g. the circuit file is unreadable).
    case fanOutFailed(workload: String, reason: String)
}
