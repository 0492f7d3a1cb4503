/// A workflow engine rebuilt from its history, and what the lead still has to do for it.
public struct WorkflowRecovery: Sendable {
    public var engine: WorkflowEngine
    /// Stored tasks the engine asked for again during the replay: they belong to it as they are.
    public var adopted: [WorkflowHistory.StoredTask]
    /// Stored tasks the engine has not asked for yet. A crash can land after the tasks an outcome
    /// released were stored but before that outcome was; when the outcome arrives and the engine
    /// asks for them, the lead adopts these instead of submitting them again.
    public var unclaimed: [WorkflowHistory.StoredTask]
    /// Actions the history could not answer, in order (new submissions, plans to make, cancels,
    /// stage and workflow ends): the lead performs them as it would have before the crash.
    public var actions: [WorkflowAction]
    /// Events the engine refused during the replay; empty unless the history disagrees with the document.
    public var problems: [WorkflowError]
}
