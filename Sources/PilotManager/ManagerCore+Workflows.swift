import Foundation
import PilotCore
import PilotProtocol
import PilotQuantum
import PilotStore
import PilotWorkflow

/// The workflow and workload layers: a workflow file becomes a pure `WorkflowEngine`, whose actions
/// (submit tasks, plan a fan-out, cancel) the manager carries out, and whose events are the tasks'
/// state changes.
extension ManagerCore {
    public func submitWorkflow(_ req: WorkflowSubmitRequest) throws(ManagerError) -> WorkflowInfo {
        let wf: Workflow
        do { wf = try Workflow.parse(yaml: req.yaml, file: req.file) } catch {
            throw ManagerError(.badRequest, "\(error)", field: error.field)
        }
        let t = now
        let id: Int64
        let dir: String
        do {
            let serverDir = config.serverDir
            (id, dir) = try store.insertWorkflow(name: wf.name ?? "workflow", file: req.file,
                                                 dir: { req.dir ?? "\(serverDir)/workflows/\($0)" }, body: req.yaml, at: t)
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            for s in wf.stages { try FileManager.default.createDirectory(atPath: dir + "/" + s.name, withIntermediateDirectories: true) }
        } catch let e as StoreError { throw ManagerError(.internal, "cannot store the workflow", cause: e) } catch {
            throw ManagerError(.internal, "cannot create the workflow directory", cause: error)
        }
        let context = WorkflowContext(id: String(id), dir: dir, seed: wf.seed ?? UInt64(id))
        let engine: WorkflowEngine
        do { engine = try WorkflowEngine(workflow: wf, context: context, drivers: config.iterativeDrivers) } catch {
            throw ManagerError(.badRequest, "\(error)", field: error.field)
        }
        var run = WorkflowRun(id: id, engine: engine, file: req.file)
        run.recordedState = "running"
        run.createdAt = t
        let actions = run.engine.start()
        workflows[id] = run
        log.info("workflow \(id) '\(wf.name ?? "")': \(wf.stages.count) stages")
        perform(actions, workflow: id)
        requestTick()
        return workflowInfo(id)!
    }

    public func retryWorkflow(_ id: Int64) throws(ManagerError) -> WorkflowInfo {
        guard let run = workflows[id] else { throw ManagerError(.notFound, "no running or finished workflow \(id) in this manager") }
        guard run.engine.dag.states.contains(where: \.isFailed) else {
            throw ManagerError(.badRequest, "workflow \(id) has no failed stages to retry")
        }
        // Counted before any task of the retry exists, so a restart replays the retry exactly when
        // its tasks are in the store.
        do { try store.recordWorkflowRetry(id) } catch { throw ManagerError(.internal, "cannot record the retry", cause: error) }
        let actions = workflows[id]!.engine.retryFailed()
        workflows[id]!.state = "running"
        workflows[id]!.endedAt = nil
        workflows[id]!.recordedState = "running"
        perform(actions, workflow: id)
        requestTick()
        return workflowInfo(id)!
    }

    /// Carries out engine actions; events they cause are fed back until the engine is quiet.
    func perform(_ initial: [WorkflowAction], workflow id: Int64) {
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
                } else if let w = try? store.insertWorkload(workflow: id, stage: stage, motif: motif.rawValue, at: now) {
                    workflows[id]!.workloads[stage] = w
                    workflows[id]!.workloadStates[w] = "running"
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
                let answer = planCut(stage, plan, template: template.spec, workflow: id)
                recordFanOut(answer, stage: stage, workflow: id)
                events.append(answer)
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
                let t = now
                workflows[id]!.endedAt = t
                workflows[id]!.recordedState = state
                workflows[id]!.recordedEndedAt = t
                try? store.updateWorkflow(id, state: state, endedAt: t)
                log.info("workflow \(id) \(state)")
            }
            for e in events {
                do { queue += try workflows[id]!.engine.handle(e) } catch { log.warning("workflow \(id): \(error)") }
            }
        }
    }

    private func stageEnded(_ id: Int64, _ stage: String, state: String, summary: WorkloadProgress?, reason: String?) {
        guard let w = workflows[id]?.workloads[stage], workflows[id]!.workloadStates[w] != state else { return }
        workflows[id]!.workloadStates[w] = state
        let json = summary.flatMap { try? String(decoding: JSONEncoder().encode($0), as: UTF8.self) }
        try? store.updateWorkload(w, state: state, summary: json, endedAt: now, reason: reason)
    }

    /// Cuts the stage's circuit, writes the plan next to the stage's outputs, and returns the
    /// sub-experiment tasks plus a fan-in task that reconstructs from the files they leave.
    private func planCut(_ stage: String, _ p: CuttingStagePlan, template: TaskSpec, workflow id: Int64) -> WorkflowEvent {
        let ctx = workflows[id]!.engine.context
        let out = ctx.outputs(of: stage)
        do {
            let circuit: QuantumCircuit
            switch p.circuitSource {
            case .file(let path):
                let base = workflows[id]!.file.map { URL(fileURLWithPath: $0).deletingLastPathComponent().path } ?? ctx.dir
                let full = path.hasPrefix("/") ? path : base + "/" + path
                guard let text = try? String(contentsOfFile: full, encoding: .utf8) else {
                    return .fanOutFailed(workload: stage, reason: "cannot read circuit \(full)")
                }
                circuit = try QASMParser.parse(text, fileName: full)
            case .random(let q, let d, let seed):
                circuit = RandomCircuit.make(qubits: q, depth: d, seed: seed)
            }
            let plan = try CircuitCutter.cut(circuit, observables: p.observables, maxFragmentQubits: p.maxFragmentQubits,
                                             shots: p.shots, seed: ctx.seed, device: p.device)
            try JSONEncoder().encode(plan).write(to: URL(fileURLWithPath: out + "/plan.json"))
            // The exact value, for the summary's comparison.
            let exact = try StateVectorSimulator(threads: 1).statevector(circuit)
            let sim = StateVectorSimulator(threads: 1)
            let exactValues = try p.observables.map { label throws in
                sim.expectation(try PauliString(label).resized(to: circuit.qubitCount), state: exact)
            }
            try JSONEncoder().encode(exactValues).write(to: URL(fileURLWithPath: out + "/exact.json"))
            workflows[id]!.cutPlans[stage] = plan
            var tasks: [TaskSpec] = []
            for (k, sub) in plan.subexperiments.enumerated() {
                var t = template
                t.kind = .quantum
                t.name = "\(stage)[sub \(k)]"
                t.payload = String(decoding: try JSONEncoder().encode(sub.job), as: UTF8.self)
                t.request.qpu = p.qpu
                tasks.append(t)
            }
            var fanIn = TaskSpec(name: "\(stage)[reconstruct]", command: [
                config.pilotBinary, "kernel", "reconstruct", "--plan", out + "/plan.json", "--results", out,
                "--exact", out + "/exact.json", "--out", out + "/result.json",
            ], request: ResourceRequest(cores: 1))
            fanIn.workingDirectory = out
            log.info("workflow \(id) stage \(stage): \(plan.cuts.count) cuts, \(plan.fragments.count) fragments, \(tasks.count) sub-experiments")
            return .fanOutPlanned(workload: stage, tasks: tasks, fanIn: fanIn)
        } catch {
            return .fanOutFailed(workload: stage, reason: "\(error)")
        }
    }

    /// Called at each tick with the workflow tasks that started or ended since the last one.
    func feedWorkflows(_ changes: [(Int64, TaskState)]) {
        var byWorkflow: [Int64: [WorkflowEvent]] = [:]
        for (tid, state) in changes {
            guard let ref = workflowTasks[tid], workflows[ref.workflow] != nil else { continue }
            // A commit outside the tick (a listing) may already have moved an ended task out of memory.
            let row = live[tid] ?? ((try? store.task(tid)) ?? nil)
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
        for (wid, events) in byWorkflow {
            var actions: [WorkflowAction] = []
            for e in events {
                do { actions += try workflows[wid]!.engine.handle(e) } catch { log.warning("workflow \(wid): \(error)") }
            }
            perform(actions, workflow: wid)
        }
    }

    /// A workflow task's row as the engine hears of it. Cutting stages pass data by files: a done
    /// sub-experiment's result is written where the reconstruction reads it, and the
    /// reconstruction's result is read from the file it writes.
    func storedTask(_ row: TaskRow, stage: String, localIndex: Int, outputs out: String,
                    quantum: Bool) -> WorkflowHistory.StoredTask {
        var result = row.result
        if row.state == .done, let name = row.name {
            if name.hasSuffix("[reconstruct]") {
                result = try? String(contentsOfFile: out + "/result.json", encoding: .utf8)
            } else if quantum, let k = Self.subexperimentNumber(name), let r = row.result {
                try? r.write(toFile: "\(out)/sub-\(k).json", atomically: true, encoding: .utf8)
            }
        }
        return WorkflowHistory.StoredTask(id: row.id, stage: stage, localIndex: localIndex, state: row.state,
                                          reason: row.reason, resultJSON: result, startedAt: row.startedAt, endedAt: row.endedAt)
    }

    /// Takes a stored task the rebuilt engine asked for instead of submitting it again, and returns
    /// what became of it so far. Its changes before this moment were not fed to any engine.
    func adopt(_ tid: Int64, stage: String, localIndex: Int, workflow id: Int64) -> [WorkflowEvent] {
        workflows[id]!.tasks[stage, default: [:]][localIndex] = tid
        var events: [WorkflowEvent] = [.tasksSubmitted(workload: stage, localIndices: [localIndex], at: now)]
        let ref = WorkflowTaskRef(workflow: id, stage: stage, localIndex: localIndex)
        guard let row = live[tid] ?? (try? store.task(tid)) ?? nil else { return events }
        let spec = specs[row.specID] ?? (try? store.spec(row.specID)) ?? nil
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
    private func recordFanOut(_ answer: WorkflowEvent, stage: String, workflow id: Int64) {
        guard let f = WorkflowHistory.FanOut(answer), let json = try? JSONEncoder().encode(f) else { return }
        let text = String(decoding: json, as: UTF8.self)
        if case .failed = f {
            if let w = workflows[id]!.workloads[stage] { try? store.setWorkloadPlan(w, plan: text) }
        } else {
            workflows[id]!.pendingPlans[stage] = text
        }
    }

    /// `stage[sub 12]` → 12.
    static func subexperimentNumber(_ name: String) -> Int? {
        guard let r = name.range(of: "[sub "), name.hasSuffix("]") else { return nil }
        return Int(name[r.upperBound..<name.index(before: name.endIndex)])
    }

    func account(_ ref: WorkflowTaskRef, _ row: TaskRow, _ spec: TaskSpec?) {
        workflows[ref.workflow]!.usage[ref.stage] = usage(workflows[ref.workflow]!.usage[ref.stage], row, spec)
    }

    /// Resource-seconds of a stage with one more ended task added.
    func usage(_ u: (cores: Double, gpus: Double, qpu: Double)?, _ row: TaskRow,
               _ spec: TaskSpec?) -> (cores: Double, gpus: Double, qpu: Double) {
        var u = u ?? (0, 0, 0)
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
            let u = run.usage[s.name] ?? (0, 0, 0)
            return StageInfo(name: s.name, motif: s.motif.rawValue, needs: s.needs, state: state,
                             reason: run.reasons[s.name] ?? (run.engine.dag.state(of: s.name).flatMap { st -> String? in
                                 if case .failed(let r, _) = st { return r } else { return nil } }),
                             workload: run.workloads[s.name], counts: counts, total: p?.total ?? 0, rounds: p?.rounds,
                             firstStart: p?.firstStart, lastEnd: p?.lastEnd, result: p?.result,
                             coreSeconds: u.cores, gpuSeconds: u.gpus, qpuSeconds: u.qpu)
        }
        let dir = run.engine.context.dir
        return WorkflowInfo(id: id, name: run.engine.workflow.name ?? "workflow", state: run.state, dir: dir,
                            createdAt: run.createdAt, endedAt: run.endedAt, stages: stages)
    }

    public func workflowList() -> [WorkflowInfo] { workflows.keys.sorted().compactMap(workflowInfo) }
}
