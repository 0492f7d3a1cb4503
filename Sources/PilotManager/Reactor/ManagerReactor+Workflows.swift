import Foundation
import PilotCore
import PilotProtocol
import PilotQuantum
import PilotStore
import PilotWorkflow

/// The workflow and workload layers: a workflow file becomes a pure `WorkflowEngine`, whose actions
/// (submit tasks, plan a fan-out, cancel) the reactor carries out, and whose events are the tasks'
/// state changes. Parsing a workflow and planning a cut run on the shell's work pool.
extension ManagerReactor {
    /// The id is given now; the file is parsed and the engine built on the pool (`workflowPrepared`).
    mutating func submitWorkflow(_ req: WorkflowSubmitRequest, reply: ReplyID) {
        let id = nextWorkflowID
        nextWorkflowID += 1
        let dir = req.dir ?? "\(config.serverDir)/workflows/\(id)"
        effects.append(.offload(.prepareWorkflow(id: id, request: req, dir: dir, reply: reply)))
    }

    mutating func workflowPrepared(_ id: Int64, _ result: Result<PreparedWorkflow, ManagerError>, reply: ReplyID) {
        let p: PreparedWorkflow
        switch result {
        case .failure(let e): pendingReplies.append((reply, .failed(e))); return
        case .success(let v): p = v
        }
        let name = p.workflow.name ?? "workflow"
        batch.newWorkflows.append(WorkflowRow(id: id, name: name, file: p.request.file, dir: p.dir, state: "running", createdAt: now,
                                              body: p.request.yaml))
        batch.directories.append(p.dir)
        for s in p.workflow.stages { batch.directories.append(p.dir + "/" + s.name) }
        var run = WorkflowRun(id: id, engine: p.engine, file: p.request.file)
        run.recordedState = "running"
        run.createdAt = now
        workflows[id] = run
        journal(.workflowState, workflow: id, state: "running", detail: #"{"name":\#(Self.jsonString(name)),"stages":\#(p.workflow.stages.count)}"#)
        log(.info, "workflow \(id) '\(name)': \(p.workflow.stages.count) stages")
        perform(p.actions, workflow: id)
        requestTick()
        pendingReplies.append((reply, .workflow(workflowInfo(id)!)))
    }

    mutating func retryWorkflow(_ id: Int64) throws(ManagerError) -> WorkflowInfo {
        guard let run = workflows[id] else { throw ManagerError(.notFound, "no running or finished workflow \(id) in this manager") }
        guard run.engine.dag.states.contains(where: \.isFailed) else {
            throw ManagerError(.badRequest, "workflow \(id) has no failed stages to retry")
        }
        // Counted in the batch before any task of the retry, so a restart replays the retry exactly
        // when its tasks are in the store.
        workflows[id]!.retries += 1
        workflows[id]!.state = "running"
        workflows[id]!.endedAt = nil
        workflows[id]!.recordedState = "running"
        batch.workflowChanges.append(WorkflowChange(id: id, state: "running", endedAt: nil, retries: workflows[id]!.retries))
        journal(.workflowState, workflow: id, state: "running", reason: "retry \(workflows[id]!.retries)")
        let actions = workflows[id]!.engine.retryFailed()
        perform(actions, workflow: id)
        requestTick()
        return workflowInfo(id)!
    }

    /// Carries out engine actions; events they cause are fed back until the engine is quiet.
    mutating func perform(_ initial: [WorkflowAction], workflow id: Int64) {
        var queue = initial
        while !queue.isEmpty {
            let action = queue.removeFirst()
            guard workflows[id] != nil else { return }
            var events: [WorkflowEvent] = []
            switch action {
            case .stageStarted(let stage, let motif, _):
                // A rebuilt engine starts its stages again: each start takes the next stored row of that stage.
                if let w = workflows[id]!.storedWorkloads[stage]?.first {
                    workflows[id]!.storedWorkloads[stage]!.removeFirst()
                    workflows[id]!.workloads[stage] = w
                } else {
                    let w = nextWorkloadID
                    nextWorkloadID += 1
                    batch.newWorkloads.append(WorkloadRow(id: w, workflow: id, stage: stage, motif: motif.rawValue, state: "running",
                                                          createdAt: now, startedAt: now))
                    workflows[id]!.workloads[stage] = w
                    workflows[id]!.workloadStates[w] = "running"
                    journal(.stageState, workflow: id, stage: stage, workload: w, state: "running", detail: #"{"motif":"\#(motif.rawValue)"}"#)
                }
            case .submit(let stage, let all):
                var planned: [PlannedTask] = []
                for p in all {
                    if let tid = workflows[id]!.unclaimed[stage]?.removeValue(forKey: p.localIndex) {
                        events += adopt(tid, stage: stage, localIndex: p.localIndex, workflow: id)
                    } else {
                        planned.append(p)
                    }
                }
                guard !planned.isEmpty else { continue }
                var specs = planned.map(\.spec)
                for i in specs.indices where specs[i].workingDirectory == nil { specs[i].workingDirectory = workflows[id]!.engine.context.dir }
                do {
                    var req = SubmitRequest(tasks: specs)
                    req.workflow = id
                    req.workload = workflows[id]!.workloads[stage]
                    let link = StageTaskLink(indices: planned.map(\.localIndex), fanOutPlan: workflows[id]!.pendingPlans[stage])
                    let r = try submit(req, stage: link)
                    workflows[id]!.pendingPlans[stage] = nil
                    for (k, p) in planned.enumerated() {
                        let tid = r.first + Int64(k)
                        workflows[id]!.tasks[stage, default: [:]][p.localIndex] = tid
                        workflowTasks[tid] = WorkflowTaskRef(workflow: id, stage: stage, localIndex: p.localIndex)
                    }
                    events.append(.tasksSubmitted(workload: stage, localIndices: planned.map(\.localIndex), at: now))
                } catch {
                    for p in planned {
                        events.append(.taskFinished(workload: stage, localIndex: p.localIndex, succeeded: false,
                                                    reason: "not submitted: \(error)", at: now))
                    }
                }
            case .planFanOut(let stage, let plan, let template):
                let ctx = workflows[id]!.engine.context
                let base = workflows[id]!.file.map { URL(fileURLWithPath: $0).deletingLastPathComponent().path } ?? ctx.dir
                effects.append(.offload(.planCut(CutJob(workflow: id, stage: stage, plan: plan, template: template.spec, baseDir: base,
                                                        outputs: ctx.outputs(of: stage), seed: ctx.seed,
                                                        pilotBinary: config.pilotBinary,
                                                        load: plan.isAuto ? occupancy() : nil))))
            case .cancelTasks(let stage, let locals):
                let ids = locals.compactMap { workflows[id]!.tasks[stage]?[$0] }
                _ = cancel(ids)
            case .stageDone(let stage, let summary):
                stageEnded(id, stage, state: "done", summary: summary, reason: nil)
            case .stageFailed(let stage, let reason):
                workflows[id]!.reasons[stage] = reason
                stageEnded(id, stage, state: "failed", summary: workflows[id]!.engine.progress(of: stage), reason: reason)
            case .workflowDone(let ok):
                let state = ok ? "done" : "failed"
                workflows[id]!.state = state
                // Tasks stored for a stage that, after a restart, was never started again (its
                // dependency failed on a second attempt): nothing will take their outcome.
                let orphans = workflows[id]!.unclaimed.values.flatMap(\.values)
                if !orphans.isEmpty {
                    workflows[id]!.unclaimed = [:]
                    _ = cancel(orphans)
                }
                if workflows[id]!.recordedState == state, let t = workflows[id]!.recordedEndedAt {
                    workflows[id]!.endedAt = t
                    continue
                }
                workflows[id]!.endedAt = now
                workflows[id]!.recordedState = state
                workflows[id]!.recordedEndedAt = now
                batch.workflowChanges.append(WorkflowChange(id: id, state: state, endedAt: now, retries: workflows[id]!.retries))
                journal(.workflowState, workflow: id, state: state)
                log(.info, "workflow \(id) \(state)")
            }
            for e in events {
                do { queue += try workflows[id]!.engine.handle(e) } catch { log(.warning, "workflow \(id): \(error)") }
            }
        }
    }

    /// A cut plan from the pool: stored with the first tasks it produces, or at once if it failed.
    mutating func cutPlanned(_ id: Int64, _ stage: String, _ answer: WorkflowEvent, _ summary: CutSummary?) {
        guard workflows[id] != nil else { return }
        recordFanOut(answer, stage: stage, workflow: id)
        if let s = summary {
            journal(.cutPlanned, workflow: id, stage: stage, workload: workflows[id]!.workloads[stage],
                    detail: Self.cutPlannedDetail(s))
            if let plan = s.plan, let predicted = s.predictedMakespan {
                workflows[id]!.dreamerPlans[stage] = DreamerStagePlan(plan: plan, predictedMakespan: predicted, plannedAt: now)
            }
            log(.info, "workflow \(id) stage \(stage): \(s.cuts) cuts, \(s.fragments) fragments, \(s.subexperiments) sub-experiments")
        }
        var actions: [WorkflowAction] = []
        do { actions = try workflows[id]!.engine.handle(answer) } catch { log(.warning, "workflow \(id): \(error)") }
        perform(actions, workflow: id)
        requestTick()
    }

    private mutating func stageEnded(_ id: Int64, _ stage: String, state: String, summary: WorkloadProgress?, reason: String?) {
        guard let w = workflows[id]?.workloads[stage], workflows[id]!.workloadStates[w] != state else { return }
        workflows[id]!.workloadStates[w] = state
        let json = summary.flatMap { try? String(decoding: JSONEncoder().encode($0), as: UTF8.self) }
        batch.workloadChanges.append(WorkloadChange(id: w, state: state, summary: json, endedAt: now, reason: reason))
        journal(.stageState, workflow: id, stage: stage, workload: w, state: state, reason: reason,
                detail: workflows[id]!.dreamerPlans[stage].map { Self.dreamerStageDetail($0, endedAt: now) })
    }

    /// Called at each tick with the workflow tasks that started or ended since the last one.
    mutating func feedWorkflows(_ changes: [(Int64, TaskState)]) {
        var byWorkflow: [Int64: [WorkflowEvent]] = [:]
        for (tid, state) in changes {
            guard let ref = workflowTasks[tid], workflows[ref.workflow] != nil else { continue }
            let row = live[tid]
            if state == .running {
                byWorkflow[ref.workflow, default: []].append(.taskStarted(workload: ref.stage, localIndex: ref.localIndex, at: row?.startedAt))
                continue
            }
            guard var ended = row else {
                byWorkflow[ref.workflow, default: []].append(.taskFinished(workload: ref.stage, localIndex: ref.localIndex,
                                                                           succeeded: state == .done, at: now))
                workflowTasks[tid] = nil
                continue
            }
            ended.state = state
            let spec = specs[ended.specID]
            let stored = storedTask(ended, stage: ref.stage, localIndex: ref.localIndex,
                                    outputs: workflows[ref.workflow]!.engine.context.outputs(of: ref.stage), quantum: spec?.kind == .quantum)
            account(ref, ended, spec)
            // A start reported together with the end never passed through `.running` here.
            if let e = stored.startedEvent { byWorkflow[ref.workflow, default: []].append(e) }
            if let e = stored.finishedEvent { byWorkflow[ref.workflow, default: []].append(e) }
            workflowTasks[tid] = nil
        }
        for wid in byWorkflow.keys.sorted() {
            var actions: [WorkflowAction] = []
            for e in byWorkflow[wid]! {
                do { actions += try workflows[wid]!.engine.handle(e) } catch { log(.warning, "workflow \(wid): \(error)") }
            }
            perform(actions, workflow: wid)
        }
    }

    /// A workflow task's row as the engine hears of it. Cutting stages pass data by files: a done
    /// sub-experiment's result is written (with the next batch) where the reconstruction reads it.
    /// The reconstruction's result is the task's own (it writes `PILOT_RESULT_FILE`).
    mutating func storedTask(_ row: TaskRow, stage: String, localIndex: Int, outputs out: String,
                             quantum: Bool) -> WorkflowHistory.StoredTask {
        if row.state == .done, quantum, let name = row.name, let k = Self.subexperimentNumber(name), let r = row.result {
            batch.files.append(FileWrite(path: "\(out)/sub-\(k).json", contents: r))
        }
        return WorkflowHistory.StoredTask(id: row.id, stage: stage, localIndex: localIndex, state: row.state,
                                          reason: row.reason, resultJSON: row.result, startedAt: row.startedAt, endedAt: row.endedAt)
    }

    /// Takes a stored task the rebuilt engine asked for instead of submitting it again, and returns
    /// what became of it so far. Its changes before this moment were not fed to any engine.
    mutating func adopt(_ tid: Int64, stage: String, localIndex: Int, workflow id: Int64) -> [WorkflowEvent] {
        workflows[id]!.tasks[stage, default: [:]][localIndex] = tid
        var events: [WorkflowEvent] = [.tasksSubmitted(workload: stage, localIndices: [localIndex], at: now)]
        let ref = WorkflowTaskRef(workflow: id, stage: stage, localIndex: localIndex)
        guard let row = live[tid] ?? recoveredRows[tid] else { return events }
        let spec = specs[row.specID] ?? recoveredSpecs[row.specID]
        let stored = storedTask(row, stage: stage, localIndex: localIndex, outputs: workflows[id]!.engine.context.outputs(of: stage),
                                quantum: spec?.kind == .quantum)
        if let e = stored.startedEvent { events.append(e) }
        if let e = stored.finishedEvent {
            account(ref, row, spec)
            events.append(e)
        } else {
            workflowTasks[tid] = ref
        }
        return events
    }

    /// A fan-out plan is stored with the first tasks it produces (see `StageTaskLink`); one that
    /// failed produces none, so it is stored at once.
    private mutating func recordFanOut(_ answer: WorkflowEvent, stage: String, workflow id: Int64) {
        guard let f = WorkflowHistory.FanOut(answer), let json = try? JSONEncoder().encode(f) else { return }
        let text = String(decoding: json, as: UTF8.self)
        if case .failed = f {
            if let w = workflows[id]!.workloads[stage] { batch.workloadChanges.append(WorkloadChange(id: w, plan: text)) }
        } else {
            workflows[id]!.pendingPlans[stage] = text
        }
    }

    /// `stage[sub 12]` → 12.
    static func subexperimentNumber(_ name: String) -> Int? {
        guard let r = name.range(of: "[sub "), name.hasSuffix("]") else { return nil }
        return Int(name[r.upperBound..<name.index(before: name.endIndex)])
    }

    mutating func account(_ ref: WorkflowTaskRef, _ row: TaskRow, _ spec: TaskSpec?) {
        workflows[ref.workflow]!.usage[ref.stage] = Self.usage(workflows[ref.workflow]!.usage[ref.stage], row, spec)
    }

    /// Resource-seconds of a stage with one more ended task added.
    static func usage(_ u: StageUsage?, _ row: TaskRow, _ spec: TaskSpec?) -> StageUsage {
        var u = u ?? StageUsage()
        guard let s = row.startedAt, let e = row.endedAt, e > s, let spec else { return u }
        let d = e - s
        let r = spec.request
        u.cores += d * Double(r.coresPerNode * r.nodes)
        u.gpus += d * Double(r.gpusPerNode * r.nodes)
        u.qpu += d * Double(r.qpu?.count ?? 0)
        return u
    }

    public func workflowInfo(_ id: Int64) -> WorkflowInfo? {
        guard let run = workflows[id] else { return nil }
        let stages = run.engine.workflow.stages.map { s -> StageInfo in
            let p = run.engine.progress(of: s.name)
            let state: String
            switch run.engine.dag.state(of: s.name) {
            case .done?: state = "done"
            case .running?: state = "running"
            case .failed?: state = "failed"
            default: state = "pending"
            }
            var counts: [String: Int] = [:]
            for (k, v) in p?.counts ?? [:] { counts[k.rawValue] = v }
            let u = run.usage[s.name] ?? StageUsage()
            return StageInfo(name: s.name, motif: s.motif.rawValue, needs: s.needs, state: state,
                             reason: run.reasons[s.name] ?? (run.engine.dag.state(of: s.name).flatMap { st -> String? in
                                 if case .failed(let r, _) = st { return r } else { return nil } }),
                             workload: run.workloads[s.name], counts: counts, total: p?.total ?? 0, rounds: p?.rounds,
                             firstStart: p?.firstStart, lastEnd: p?.lastEnd, result: p?.result.map(JSONText.init),
                             coreSeconds: u.cores, gpuSeconds: u.gpus, qpuSeconds: u.qpu)
        }
        let dir = run.engine.context.dir
        return WorkflowInfo(id: id, name: run.engine.workflow.name ?? "workflow", state: run.state, dir: dir,
                            createdAt: run.createdAt, endedAt: run.endedAt, stages: stages)
    }

    public func workflowList() -> [WorkflowInfo] { workflows.keys.sorted().compactMap(workflowInfo) }
}
