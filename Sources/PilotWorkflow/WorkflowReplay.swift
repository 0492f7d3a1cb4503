/// The bookkeeping of `WorkflowEngine.recover`: answers the engine's actions from the history
/// where it can, and keeps the stored outcomes of adopted tasks to feed back in the order they ended.
struct WorkflowReplay {
    struct Key: Hashable {
        var stage: String
        var index: Int
    }

    var engine: WorkflowEngine
    private var unclaimed: [Key: WorkflowHistory.StoredTask] = [:]
    private let fanOuts: [String: [Int: WorkflowHistory.FanOut]]
    /// Ended tasks already adopted, latest end first, so the next to feed is the last element.
    private var outcomes: [WorkflowHistory.StoredTask] = []
    private var adopted: [WorkflowHistory.StoredTask] = []
    private var actions: [WorkflowAction] = []
    private var problems: [WorkflowError] = []

    init(engine: WorkflowEngine, history: WorkflowHistory) {
        self.engine = engine
        fanOuts = history.fanOuts
        for t in history.tasks { unclaimed[Key(stage: t.stage, index: t.localIndex)] = t }
    }

    var result: WorkflowRecovery {
        WorkflowRecovery(engine: engine, adopted: adopted, unclaimed: unclaimed.values.sorted { $0.id < $1.id },
                         actions: actions, problems: problems)
    }

    /// Feeds the earliest-ended adopted outcome not yet fed; false when none is left.
    mutating func feedNextOutcome() -> Bool {
        guard let t = outcomes.popLast(), let e = t.finishedEvent else { return false }
        absorb(handle(e))
        return true
    }

    mutating func absorb(_ initial: [WorkflowAction]) {
        var queue = initial
        var next = 0
        while next < queue.count {
            let action = queue[next]
            next += 1
            switch action {
            case .submit(let stage, let planned):
                var fresh: [PlannedTask] = []
                var claimed: [Int] = []
                var started: [WorkflowEvent] = []
                for p in planned {
                    guard let t = unclaimed.removeValue(forKey: Key(stage: stage, index: p.localIndex)) else {
                        fresh.append(p)
                        continue
                    }
                    adopted.append(t)
                    claimed.append(p.localIndex)
                    if let e = t.startedEvent { started.append(e) }
                    if t.state.isTerminal { enqueueOutcome(t) }
                }
                if !fresh.isEmpty { actions.append(.submit(workload: stage, tasks: fresh)) }
                if !claimed.isEmpty { queue += handle(.tasksSubmitted(workload: stage, localIndices: claimed)) }
                for e in started { queue += handle(e) }
            case .planFanOut(let stage, _, _):
                let attempt = engine.progress(of: stage)?.attempt ?? 1
                if let answer = fanOuts[stage]?[attempt] {
                    queue += handle(answer.event(stage: stage))
                } else {
                    actions.append(action)
                }
            default:
                actions.append(action)
            }
        }
    }

    private mutating func handle(_ e: WorkflowEvent) -> [WorkflowAction] {
        do { return try engine.handle(e) } catch {
            problems.append(error)
            return []
        }
    }

    private mutating func enqueueOutcome(_ t: WorkflowHistory.StoredTask) {
        let key = (t.endedAt ?? 0, t.id)
        // Binary search for the first element that ends before `t` (the array runs latest first).
        var lo = 0, hi = outcomes.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if (outcomes[mid].endedAt ?? 0, outcomes[mid].id) > key { lo = mid + 1 } else { hi = mid }
        }
        outcomes.insert(t, at: lo)
    }
}
