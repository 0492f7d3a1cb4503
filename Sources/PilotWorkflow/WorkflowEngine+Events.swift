import PilotCore

extension WorkflowEngine {
    /// Applies one event. Late events for a finished stage or an earlier attempt are ignored
    /// (cancellation races are normal); events that can never be right throw `.invalidEvent`.
    public mutating func handle(_ event: WorkflowEvent) throws(WorkflowError) -> [WorkflowAction] {
        var out: [WorkflowAction] = []
        switch event {
        case .tasksSubmitted(let name, let indices, _):
            _ = try withActiveRun(name) { (run: inout WorkloadRun) throws(WorkflowError) in
                for i in indices {
                    guard let r = try run.relative(i, stage: name) else { continue }
                    if run.tasks[r].phase == .released { run.set(r, .submitted) }
                }
            }

        case .taskStarted(let name, let i, let at):
            let changed = try withActiveRun(name) { (run: inout WorkloadRun) throws(WorkflowError) -> Bool in
                guard let r = try run.relative(i, stage: name) else { return false }
                guard run.tasks[r].phase == .released || run.tasks[r].phase == .submitted else {
                    // A repeated start (the lead reports the start again with the end) changes nothing.
                    if run.tasks[r].phase.isTerminal || run.tasks[r].phase == .running { return false }
                    throw WorkflowError(.invalidEvent, "task \(name)[\(i)] started while \(run.tasks[r].phase.rawValue)")
                }
                run.set(r, .running)
                if let at { run.firstStart = min(run.firstStart ?? at, at) }
                return true
            }
            guard changed == true else { return [] }

        case .taskFinished(let name, let i, let ok, let reason, let result, let at):
            var late = false
            let finished = try withActiveRun(name) { (run: inout WorkloadRun) throws(WorkflowError) -> Int? in
                guard let r = try run.relative(i, stage: name) else { late = true; return nil }
                let phase = run.tasks[r].phase
                if phase == .canceled || phase == .skipped { return nil }
                guard phase.isActive else {
                    throw WorkflowError(.invalidEvent, "task \(name)[\(i)] finished while \(phase.rawValue)")
                }
                run.set(r, ok ? .done : .failed)
                if let at {
                    run.lastEnd = max(run.lastEnd ?? at, at)
                    if run.firstStart == nil { run.firstStart = at }
                }
                return r
            }
            // A finished stage, or an earlier attempt's task: it may have succeeded after its cancel.
            guard let finished, !late else {
                recordLateSuccess(name, i, ok: ok)
                return []
            }
            guard let r = finished else { return [] }
            taskFinished(name, r, ok: ok, reason: reason, result: result, &out)

        case .fanOutPlanned(let name, let tasks, let fanIn):
            guard let run = try activeRun(name) else { return [] }
            guard run.phase == .awaitingFanOut else {
                throw WorkflowError(.invalidEvent, "stage '\(name)' is not waiting for a fan-out plan")
            }
            addFanOut(name, tasks, fanIn: fanIn, &out)

        case .fanOutFailed(let name, let reason):
            guard let run = try activeRun(name) else { return [] }
            guard run.phase == .awaitingFanOut else {
                throw WorkflowError(.invalidEvent, "stage '\(name)' is not waiting for a fan-out plan")
            }
            failStage(name, reason: "could not plan the fan-out: \(reason)", &out)
        }
        startReady(&out)
        return out
    }

    /// A task canceled because its stage failed may have succeeded before the cancel reached it:
    /// it counts as done then, so a retry of the stage keeps its result instead of running it again.
    private mutating func recordLateSuccess(_ name: String, _ i: Int, ok: Bool) {
        guard ok else { return }
        withRun(name) { run in
            guard run.finished, i >= run.base, i - run.base < run.tasks.count, run.tasks[i - run.base].phase == .canceled else { return }
            run.set(i - run.base, .done)
        }
    }

    /// nil for a stage that already finished; throws for a name that is no stage or never started.
    private func activeRun(_ name: String) throws(WorkflowError) -> WorkloadRun? {
        guard let run = runs[name] else {
            throw WorkflowError(.invalidEvent, workflow.stage(named: name) == nil
                                ? "unknown workload '\(name)'" : "stage '\(name)' has not started")
        }
        return run.finished ? nil : run
    }

    /// Applies `body` to the run of a stage that has not finished, in place; nil for a finished
    /// stage; throws for a name that is no stage or never started.
    private mutating func withActiveRun<R>(_ name: String,
                                           _ body: (inout WorkloadRun) throws(WorkflowError) -> R) throws(WorkflowError) -> R? {
        guard try activeRun(name) != nil else { return nil }
        return try withRun(name, body)
    }

    private mutating func taskFinished(_ name: String, _ r: Int, ok: Bool, reason: String?, result: String?,
                                       _ out: inout [WorkflowAction]) {
        // Taken out of `runs` so its arrays are mutated in place; it goes back before every call
        // that reads `runs` again.
        guard var run = runs.removeValue(forKey: name) else { return }
        let taskName = run.tasks[r].name ?? "\(name)[\(run.base + r)]"
        if !ok {
            run.failures += 1
            let why = "task \(taskName) failed" + (reason.map { ": \($0)" } ?? "")
            if run.failures > run.workload.maxFailures || run.fanInIndex == r {
                runs[name] = run
                failStage(name, reason: why, &out)
                return
            }
        }
        switch run.phase {
        case .tasks:
            var ready: [Int] = []
            if ok {
                for d in run.dependents[r] {
                    run.pendingDeps[d] -= 1
                    if run.pendingDeps[d] == 0 && run.tasks[d].phase == .waiting { ready.append(d) }
                }
            } else {
                run.skipDependents(of: r)
            }
            runs[name] = run
            release(name, ready, &out)
            if runs[name]!.allTerminal { completeStage(name, &out) }

        case .awaitingFanOut:
            runs[name] = run

        case .fanOut:
            let fanIn = run.fanInIndex
            if r == fanIn { run.result = result }
            let releaseFanIn = r != fanIn && fanIn.map { fi in run.tasks[..<fi].allSatisfy(\.phase.isTerminal) } == true
            runs[name] = run
            if r == fanIn {
                completeStage(name, &out)
            } else if releaseFanIn, let fi = fanIn {
                release(name, [fi], &out)
            }

        case .rounds:
            run.roundOutcomes.append(TaskOutcomeSummary(localIndex: run.base + r, name: run.tasks[r].name,
                                                        round: run.tasks[r].round, succeeded: ok, reason: reason,
                                                        resultJSON: result))
            let roundDone = run.roundRange.allSatisfy { run.tasks[$0].phase.isTerminal }
            let outcomes = roundDone ? run.roundOutcomes : []
            runs[name] = run
            if roundDone { nextRound(name, outcomes: outcomes, &out) }
        }
    }

    mutating func addFanOut(_ name: String, _ specs: [TaskSpec], fanIn: TaskSpec?, _ out: inout [WorkflowAction]) {
        guard var run = runs[name], case .twoPhase(let p) = run.workload.plan else { return }
        let fanOut = specs.enumerated().map { k, s in
            var t = s
            if t.name == nil { t.name = MotifGenerator.taskName(name, k) }
            return (t, [Int](), String?.none)
        }
        run.addTasks(fanOut, round: 0)
        let fi = run.tasks.count
        run.addTasks([(fanIn ?? p.fanIn, Array(0..<fanOut.count), nil)], round: 0)
        run.fanInIndex = fi
        run.phase = .fanOut
        // A retry keeps the sub-experiments that succeeded (their result files are still there);
        // the reconstruction always runs again, it is what failed or never ran.
        if let prev = previous.removeValue(forKey: name) { run.carryOver(from: prev, range: 0..<fi) }
        runs[name] = run
        let open = (0..<fi).filter { run.tasks[$0].phase == .waiting }
        release(name, open.isEmpty ? [fi] : open, &out)
    }

    mutating func nextRound(_ name: String, outcomes: [TaskOutcomeSummary], _ out: inout [WorkflowAction]) {
        guard var run = runs.removeValue(forKey: name) else { return }
        guard case .iterative(let plan) = run.workload.plan, var driver = run.driver else {
            runs[name] = run
            return
        }
        run.driver = nil
        if !outcomes.isEmpty { run.rounds += 1 }
        guard run.rounds < plan.maxRounds, let specs = driver.nextRound(previousResults: outcomes), !specs.isEmpty else {
            run.result = driver.summary
            run.driver = driver
            runs[name] = run
            completeStage(name, &out)
            return
        }
        run.driver = driver
        run.roundOutcomes = []
        let start = run.tasks.count
        let named = specs.enumerated().map { k, s in
            var t = s
            if t.name == nil { t.name = MotifGenerator.taskName(name, run.base + start + k) }
            return (t, [Int](), String?.none)
        }
        run.addTasks(named, round: run.rounds)
        run.roundRange = start..<run.tasks.count
        runs[name] = run
        release(name, Array(run.roundRange), &out)
    }
}
