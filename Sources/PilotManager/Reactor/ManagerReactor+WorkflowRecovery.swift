import Foundation
import PilotCore
import PilotStore
import PilotWorkflow

/// Workflows after a restart: each stored workflow's engine is rebuilt by replaying what the store
/// holds (its document, its tasks' stage indices and outcomes, its fan-out plans and retries; see
/// `WorkflowEngine.recover`), and what the crash interrupted is carried out.
extension ManagerReactor {
    /// Done workflows are rebuilt too (cheaply: nothing is left to do), so `workflow status` and
    /// `retry` work for every workflow the store has, whichever manager ran it.
    mutating func restoreWorkflows(_ stored: [ReactorSnapshot.StoredWorkflow]) {
        var resumed = 0
        for w in stored where restoreWorkflow(w) && w.row.state == "running" { resumed += 1 }
        recoveredRows = [:]
        recoveredSpecs = [:]
        if !stored.isEmpty {
            log(.info, "restored \(stored.count) workflows (\(resumed) still running)")
            requestTick()
        }
    }

    private mutating func restoreWorkflow(_ s: ReactorSnapshot.StoredWorkflow) -> Bool {
        let row = s.row
        let wf: Workflow
        do { wf = try Workflow.parse(yaml: row.body, file: row.file) } catch {
            log(.error, "workflow \(row.id): the stored document does not parse any more: \(error)")
            return false
        }
        // Tasks without a stage index predate this store version: without it they cannot be
        // adopted, and resubmitting them would run them twice.
        guard s.tasks.allSatisfy({ $0.row.stageIndex != nil }) else {
            log(.warning, "workflow \(row.id) was stored without stage indices; its engine is not rebuilt")
            return false
        }
        for t in s.tasks { recoveredRows[t.row.id] = t.row }
        for (k, v) in s.specs { recoveredSpecs[k] = v }
        let context = WorkflowContext(id: String(row.id), dir: row.dir, seed: wf.seed ?? UInt64(row.id))
        let recovery: WorkflowRecovery
        do {
            recovery = try WorkflowEngine.recover(workflow: wf, context: context, drivers: config.iterativeDrivers,
                                                  history: history(s, context))
        } catch {
            log(.error, "workflow \(row.id): cannot rebuild its engine: \(error)")
            return false
        }
        for p in recovery.problems { log(.warning, "workflow \(row.id) replay: \(p)") }
        var run = WorkflowRun(id: row.id, engine: recovery.engine, file: row.file)
        run.createdAt = row.createdAt
        run.recordedState = row.state
        run.recordedEndedAt = row.endedAt
        run.retries = row.retries
        run.state = row.state
        run.endedAt = row.endedAt
        for w in s.workloads {
            run.storedWorkloads[w.stage, default: []].append(w.id)
            run.workloadStates[w.id] = w.state
        }
        let byID = Dictionary(s.tasks.map { ($0.row.id, $0.row) }, uniquingKeysWith: { a, _ in a })
        for t in recovery.adopted {
            run.tasks[t.stage, default: [:]][t.localIndex] = t.id
            let ref = WorkflowTaskRef(workflow: row.id, stage: t.stage, localIndex: t.localIndex)
            if t.state.isTerminal {
                if let r = byID[t.id] { run.usage[t.stage] = Self.usage(run.usage[t.stage], r, s.specs[r.specID]) }
            } else {
                workflowTasks[t.id] = ref
            }
        }
        for t in recovery.unclaimed { run.unclaimed[t.stage, default: [:]][t.localIndex] = t.id }
        workflows[row.id] = run
        var actions = recovery.actions
        if row.state != "running" {
            // A workflow stored as ended had no work left; a replay that finds some disagrees with
            // the run it replays (a changed manager), and new tasks for it would surprise its owner.
            let before = actions.count
            actions.removeAll { a in
                switch a {
                case .submit, .planFanOut: return true
                default: return false
                }
            }
            if actions.count != before { log(.warning, "workflow \(row.id) ended \(row.state), but its replay asks for more work; none is submitted") }
        }
        perform(actions, workflow: row.id)
        if !recovery.unclaimed.isEmpty {
            log(.info, "workflow \(row.id): \(recovery.unclaimed.count) stored tasks wait for the outcome that released them")
        }
        return true
    }

    /// The engine's inputs as the store has them. Workload rows of a stage are its attempts, oldest first.
    private mutating func history(_ s: ReactorSnapshot.StoredWorkflow, _ context: WorkflowContext) -> WorkflowHistory {
        var history = WorkflowHistory(retries: s.row.retries)
        var attempts: [String: Int] = [:]
        for w in s.workloads {
            let attempt = attempts[w.stage, default: 0] + 1
            attempts[w.stage] = attempt
            if let plan = w.plan, let f = try? JSONDecoder().decode(WorkflowHistory.FanOut.self, from: Data(plan.utf8)) {
                history.fanOuts[w.stage, default: [:]][attempt] = f
            }
        }
        for (stage, t) in s.tasks {
            history.tasks.append(storedTask(t, stage: stage, localIndex: t.stageIndex!, outputs: context.outputs(of: stage),
                                            quantum: s.specs[t.specID]?.kind == .quantum))
        }
        return history
    }
}
