extension WorkflowEngine {
    /// Rebuilds an engine after a manager restart by replaying its history: the same start, the
    /// same task outcomes (in the order they ended, as far as causality allows), the same fan-out
    /// answers and retries. Each task the engine asks for that the history already has is adopted,
    /// never issued again, so no stage generates its tasks twice.
    ///
    /// Retries are applied when no stored outcome is left to feed: a retry only touches failed
    /// stages and an outcome only touches running ones, so this order reaches the state the
    /// original interleaving did, and it is the only order in which the retried attempt's tasks
    /// (issued by the retry) can be adopted.
    public static func recover(workflow: Workflow, context: WorkflowContext,
                               drivers: @escaping IterativeDriverFactory = WorkflowEngine.commandDriversOnly,
                               history: WorkflowHistory) throws(WorkflowError) -> WorkflowRecovery {
        var replay = WorkflowReplay(engine: try WorkflowEngine(workflow: workflow, context: context, drivers: drivers),
                                    history: history)
        replay.absorb(replay.engine.start())
        var retries = 0
        while true {
            if replay.feedNextOutcome() { continue }
            guard retries < history.retries else { break }
            retries += 1
            replay.absorb(replay.engine.retryFailed())
        }
        return replay.result
    }
}
