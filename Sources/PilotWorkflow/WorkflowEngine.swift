import PilotCore

/// Drives a workflow as a pure state machine: events in, actions out, no I/O and no clock.
/// Replaying the same events gives the same actions.
///
/// The lead calls `start()`, performs the returned actions, and feeds back what happens with
/// `handle(_:)`. Local task indices are unique per stage across retries: a retried stage's tasks
/// continue numbering after the previous attempt's, so late events from the old attempt are
/// recognised and ignored.
public struct WorkflowEngine: Sendable {
    public let workflow: Workflow
    public let context: WorkflowContext
    public private(set) var dag: WorkflowDAG
    private let drivers: IterativeDriverFactory
    var runs: [String: WorkloadRun] = [:]
    /// Where the next attempt of a stage starts numbering its tasks.
    var nextBase: [String: Int] = [:]
    var attempts: [String: Int] = [:]
    /// The last attempt of each stage being retried, until its done tasks are carried over.
    var previous: [String: WorkloadRun] = [:]
    private var reportedDone = false

    public init(workflow: Workflow, context: WorkflowContext,
                drivers: @escaping IterativeDriverFactory = WorkflowEngine.commandDriversOnly) throws(WorkflowError) {
        self.workflow = workflow
        self.context = context
        self.drivers = drivers
        dag = try WorkflowDAG(stages: workflow.stages.map { ($0.name, $0.needs) })
    }

    /// The default factory: runs `driver: command` stages and refuses built-in names, which the
    /// lead registers by passing its own factory.
    public static let commandDriversOnly: IterativeDriverFactory = { plan, _ throws(WorkflowError) in
        guard case .builtin(let name) = plan.driver else { return try CommandIterativeDriver(plan: plan) }
        throw WorkflowError(.driverFailed, "no built-in driver '\(name)' is registered", field: "stages.\(plan.stage).driver")
    }

    public var isFinished: Bool { dag.isFinished }

    /// Starts every stage whose dependencies are done.
    public mutating func start() -> [WorkflowAction] {
        var out: [WorkflowAction] = []
        startReady(&out)
        return out
    }

    /// Resets failed stages (and the dependents they took down) and starts what is ready again;
    /// done stages keep their results, and so do the done tasks of a retried stage whose tasks come
    /// out the same again (see `WorkloadRun.carryOver`): only what failed, was canceled or skipped runs.
    public mutating func retryFailed() -> [WorkflowAction] {
        let reset = dag.retryFailed()
        for name in reset {
            if let run = runs.removeValue(forKey: name) {
                nextBase[name] = run.base + run.tasks.count
                previous[name] = run
            }
        }
        if !reset.isEmpty { reportedDone = false }
        var out: [WorkflowAction] = []
        startReady(&out)
        return out
    }

    public func workload(of stage: String) -> Workload? { runs[stage]?.workload }

    public func progress(of stage: String) -> WorkloadProgress? {
        guard let def = workflow.stage(named: stage), let state = dag.state(of: stage) else { return nil }
        guard let run = runs[stage] else {
            return WorkloadProgress(stage: stage, motif: def.motif, attempt: attempts[stage] ?? 0, state: state, counts: [:],
                                    total: 0, rounds: nil, firstStart: nil, lastEnd: nil, result: nil)
        }
        return run.progress(state: state)
    }

    // MARK: Stage lifecycle

    mutating func startReady(_ out: inout [WorkflowAction]) {
        while let name = dag.readyStages.first {
            startStage(name, &out)
        }
        if dag.isFinished && !reportedDone {
            reportedDone = true
            out.append(.workflowDone(succeeded: dag.succeeded))
        }
    }

    private mutating func startStage(_ name: String, _ out: inout [WorkflowAction]) {
        guard let def = workflow.stage(named: name) else { return }
        do { try dag.markRunning(name) } catch { return }
        let attempt = (attempts[name] ?? 0) + 1
        attempts[name] = attempt
        let workload: Workload
        do {
            workload = try MotifGenerator.workload(for: def, context: context)
        } catch {
            out.append(.stageStarted(name, motif: def.motif, hints: PlacementHints()))
            runs[name] = WorkloadRun(workload: Workload(stage: name, motif: def.motif, plan: .tasks([]), hints: PlacementHints(),
                                                        maxFailures: 0), base: nextBase[name] ?? 0, attempt: attempt)
            failStage(name, reason: error.message, &out)
            return
        }
        var run = WorkloadRun(workload: workload, base: nextBase[name] ?? 0, attempt: attempt)
        out.append(.stageStarted(name, motif: def.motif, hints: workload.hints))
        switch workload.plan {
        case .tasks(let tasks):
            run.addTasks(tasks.map { ($0.spec, $0.dependsOn, $0.colocationKey) }, round: 0)
            if let prev = previous.removeValue(forKey: name) { run.carryOver(from: prev, range: 0..<run.tasks.count) }
            runs[name] = run
            if run.allTerminal {
                completeStage(name, &out)
            } else {
                release(name, run.readyWaiting(), &out)
            }
        case .twoPhase(let p):
            switch p.fanOut {
            case .deferred(let plan):
                run.phase = .awaitingFanOut
                runs[name] = run
                out.append(.planFanOut(workload: name, plan: plan, template: TaskSpecTemplate(p.fanOutTemplate)))
            case .tasks(let specs):
                runs[name] = run
                addFanOut(name, specs, fanIn: nil, &out)
            }
        case .iterative(let plan):
            // A loop starts over: each round was computed from every earlier round's results, and
            // the failure that ended it ended the driver too, so no round can be kept on its own.
            previous[name] = nil
            do {
                run.driver = try drivers(plan, context)
            } catch {
                runs[name] = run
                failStage(name, reason: error.message, &out)
                return
            }
            run.phase = .rounds
            runs[name] = run
            nextRound(name, outcomes: [], &out)
        }
    }

    /// Applies `body` to a stage's run in place; nil when the stage has no run.
    ///
    /// In place because a `WorkloadRun` copied out of `runs` shares its arrays with the one left in
    /// the dictionary, so the first write to the copy duplicated every task record: a stage of n
    /// tasks cost O(n²), which was most of the CPU of the main example's variational stage.
    @discardableResult
    mutating func withRun<R, E: Error>(_ name: String, _ body: (inout WorkloadRun) throws(E) -> R) throws(E) -> R? {
        guard runs[name] != nil else { return nil }
        return try body(&runs[name]!)
    }

    /// Emits `.submit` for waiting tasks (relative indices) and marks them released.
    mutating func release(_ name: String, _ rel: [Int], _ out: inout [WorkflowAction]) {
        guard !rel.isEmpty else { return }
        var planned: [PlannedTask] = []
        planned.reserveCapacity(rel.count)
        withRun(name) { run in
            for r in rel {
                run.set(r, .released)
                planned.append(run.planned(r))
            }
        }
        guard !planned.isEmpty else { return }
        out.append(.submit(workload: name, tasks: planned))
    }

    mutating func completeStage(_ name: String, _ out: inout [WorkflowAction]) {
        guard let summary = withRun(name, { run in
            run.finished = true
            return run.progress(state: .done)
        }) else { return }
        do { try dag.markDone(name) } catch { return }
        out.append(.stageDone(name, summary: summary))
    }

    /// Cancels what is still active, fails the stage and everything downstream of it.
    mutating func failStage(_ name: String, reason: String, _ out: inout [WorkflowAction]) {
        let canceled = withRun(name) { (run: inout WorkloadRun) -> [Int] in
            var canceled: [Int] = []
            for r in run.tasks.indices {
                switch run.tasks[r].phase {
                case .released, .submitted, .running:
                    run.set(r, .canceled)
                    canceled.append(run.base + r)
                case .waiting: run.set(r, .skipped)
                default: break
                }
            }
            run.finished = true
            return canceled
        } ?? []
        if !canceled.isEmpty { out.append(.cancelTasks(workload: name, localIndices: canceled)) }
        let downstream = (try? dag.markFailed(name, reason: reason)) ?? []
        out.append(.stageFailed(name, reason: reason))
        for d in downstream { out.append(.stageFailed(d, reason: "dependency \(name) failed")) }
    }
}
