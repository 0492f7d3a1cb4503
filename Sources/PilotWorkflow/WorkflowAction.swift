/// What the engine asks the lead to do, in order.
public enum WorkflowAction: Sendable, Hashable {
    case stageStarted(String, motif: Motif, hints: PlacementHints)
    /// Submit these tasks now: everything they depend on has already succeeded.
    case submit(workload: String, tasks: [PlannedTask])
    /// Cut the circuit and answer with `.fanOutPlanned`; `template` carries the stage's resources.
    case planFanOut(workload: String, plan: CuttingStagePlan, template: TaskSpecTemplate)
    /// These tasks are no longer wanted (their stage failed); late events for them are ignored.
    case cancelTasks(workload: String, localIndices: [Int])
    case stageDone(String, summary: WorkloadProgress)
    case stageFailed(String, reason: String)
    case workflowDone(succeeded: Bool)
}
