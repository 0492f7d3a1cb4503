import PilotCore
@testable import PilotWorkflow

/// Plays the manager for recovery tests: carries out an engine's actions and remembers what the
/// store would (each task by stage and index with an id and its outcome, fan-out answers,
/// retries), so the history can be cut at any moment and replayed into a new engine.
struct ReplayLead {
    var engine: WorkflowEngine
    var history = WorkflowHistory()
    var nextID: Int64 = 100
    var clock = 0.0
    /// Every action the engine asked for, in order.
    var log: [WorkflowAction] = []
    var subExperiments = 3

    init(engine: WorkflowEngine, history: WorkflowHistory = WorkflowHistory(), nextID: Int64 = 100, clock: Double = 0) {
        self.engine = engine
        self.history = history
        self.nextID = nextID
        self.clock = clock
    }

    mutating func start() throws { try perform(engine.start()) }

    mutating func perform(_ actions: [WorkflowAction]) throws {
        var queue = actions
        var next = 0
        while next < queue.count {
            let action = queue[next]
            next += 1
            log.append(action)
            switch action {
            case .submit(let stage, let planned):
                for p in planned {
                    history.tasks.append(.init(id: nextID, stage: stage, localIndex: p.localIndex, state: .ready))
                    nextID += 1
                }
                queue += try engine.handle(.tasksSubmitted(workload: stage, localIndices: planned.map(\.localIndex)))
            case .planFanOut(let stage, _, let template):
                var sub = template.spec
                sub.payload = "{}"
                let answer = WorkflowEvent.fanOutPlanned(workload: stage, tasks: Array(repeating: sub, count: subExperiments))
                history.fanOuts[stage, default: [:]][engine.progress(of: stage)!.attempt] = WorkflowHistory.FanOut(answer)!
                queue += try engine.handle(answer)
            case .cancelTasks(let stage, let indices):
                for i in indices {
                    let k = slot(stage, i)
                    if !history.tasks[k].state.isTerminal { history.tasks[k].state = .canceled; history.tasks[k].endedAt = tick() }
                }
            default: break
            }
        }
    }

    mutating func tick() -> Double {
        clock += 1
        return clock
    }

    func slot(_ stage: String, _ index: Int) -> Int {
        history.tasks.firstIndex { $0.stage == stage && $0.localIndex == index }!
    }

    mutating func run(_ stage: String, _ index: Int) throws {
        let k = slot(stage, index)
        history.tasks[k].state = .running
        history.tasks[k].startedAt = tick()
        try perform(try engine.handle(history.tasks[k].startedEvent!))
    }

    mutating func end(_ stage: String, _ index: Int, ok: Bool = true, result: String? = nil) throws {
        let k = slot(stage, index)
        history.tasks[k].state = ok ? .done : .failed
        history.tasks[k].endedAt = tick()
        history.tasks[k].resultJSON = result
        history.tasks[k].reason = ok ? nil : "exit 1"
        try perform(try engine.handle(history.tasks[k].finishedEvent!))
    }

    mutating func retry() throws {
        history.retries += 1
        try perform(engine.retryFailed())
    }

    /// Tasks issued and not ended, oldest first.
    var open: [WorkflowHistory.StoredTask] { history.tasks.filter { !$0.state.isTerminal } }

    /// Runs every open task to success until the workflow ends.
    mutating func finishAll(result: String = "{\"v\":1}") throws {
        var guardRounds = 0
        while !engine.isFinished, let t = open.first {
            if t.state != .running { try run(t.stage, t.localIndex) }
            try end(t.stage, t.localIndex, result: result)
            guardRounds += 1
            precondition(guardRounds < 10_000)
        }
    }

    func progress() -> [WorkloadProgress?] { engine.workflow.stages.map { engine.progress(of: $0.name) } }
}
