import Foundation
import PilotCore
import PilotProtocol
import PilotQuantum
import PilotWorkflow

/// The work the reactor hands to the pool: parsing workflow files and building their engines,
/// and cut planning with its exact reference simulation. Each answers with an event.
enum OffloadedWork {
    static func run(_ work: OffloadWork, drivers: @escaping IterativeDriverFactory, dreamer: Dreamer = .none) -> ManagerEvent {
        switch work {
        case .prepareWorkflow(let id, let req, let dir, let reply):
            return .workflowPrepared(id: id, prepareWorkflow(id: id, req, dir: dir, drivers: drivers), reply: reply)
        case .planCut(let job):
            let (answer, summary) = planCut(job, dreamer: dreamer)
            return .cutPlanned(workflow: job.workflow, stage: job.stage, answer: answer, summary: summary)
        }
    }

    static func prepareWorkflow(id: Int64, _ req: WorkflowSubmitRequest, dir: String,
                                drivers: @escaping IterativeDriverFactory) -> Result<PreparedWorkflow, ManagerError> {
        let wf: Workflow
        do { wf = try Workflow.parse(yaml: req.yaml, file: req.file) } catch {
            return .failure(ManagerError(.badRequest, "\(error)", field: error.field))
        }
        let context = WorkflowContext(id: String(id), dir: dir, seed: wf.seed ?? UInt64(id))
        var engine: WorkflowEngine
        do { engine = try WorkflowEngine(workflow: wf, context: context, drivers: drivers) } catch {
            return .failure(ManagerError(.badRequest, "\(error)", field: error.field))
        }
        if req.dir != nil {
            // A directory the client names is made here, on the pool, so that one the manager cannot
            // create is this request's 400 and never a failed store write after the workflow exists.
            guard dir.hasPrefix("/"), !dir.utf8.contains(0) else {
                return .failure(ManagerError(.badRequest, "'\(dir)' must be an absolute path", field: "dir"))
            }
            do { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) } catch {
                return .failure(ManagerError(.badRequest, "cannot create the workflow directory \(dir): \(error.localizedDescription)",
                                             field: "dir", cause: error))
            }
        }
        let actions = engine.start()
        return .success(PreparedWorkflow(workflow: wf, request: req, dir: dir, engine: engine, actions: actions))
    }

    /// Cuts the stage's circuit, writes the plan next to the stage's outputs, and returns the
    /// sub-experiment tasks plus a fan-in task that reconstructs from the files they leave.
    static func planCut(_ job: CutJob, dreamer: Dreamer) -> (WorkflowEvent, CutSummary?) {
        let p = job.plan
        let stage = job.stage
        let out = job.outputs
        do {
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            let circuit: QuantumCircuit
            switch p.circuitSource {
            case .file(let path):
                let full = path.hasPrefix("/") ? path : job.baseDir + "/" + path
                // A circuit is text of a few KB to a few MB: a huge file is refused, never read whole.
                guard let h = FileHandle(forReadingAtPath: full) else {
                    return (.fanOutFailed(workload: stage, reason: "cannot read circuit \(full)"), nil)
                }
                let data = (try? h.read(upToCount: InputLimits.maxCircuitBytes + 1)) ?? Data()
                try? h.close()
                guard data.count <= InputLimits.maxCircuitBytes else {
                    return (.fanOutFailed(workload: stage, reason: "circuit \(full) is larger than \(InputLimits.maxCircuitBytes) bytes"), nil)
                }
                guard let text = String(data: data, encoding: .utf8) else {
                    return (.fanOutFailed(workload: stage, reason: "circuit \(full) is not UTF-8 text"), nil)
                }
                circuit = try QASMParser.parse(text, fileName: full)
            case .random(let q, let d, let seed):
                circuit = RandomCircuit.make(qubits: q, depth: d, seed: seed)
            }
            let plan: CutPlan
            var chosen: CandidatePlan?
            var record: DreamerRecord?
            if p.isAuto {
                let planned = try autoPlan(circuit, job: job, dreamer: dreamer)
                plan = planned.0
                chosen = planned.1
                record = Self.record(planned.1, outcome: planned.2, model: planned.3)
                try snakeEncoder().encode(record).write(to: URL(fileURLWithPath: out + "/dreamer.json"))
            } else {
                plan = try CircuitCutter.cut(circuit, observables: p.observables, maxFragmentQubits: p.maxFragmentQubits,
                                             shots: p.shots, seed: job.seed, device: p.device)
            }
            try JSONEncoder().encode(plan).write(to: URL(fileURLWithPath: out + "/plan.json"))
            // The exact value, for the summary's comparison.
            let sim = StateVectorSimulator(threads: 1)
            let exact = try sim.statevector(circuit)
            let exactValues = try p.observables.map { label throws in
                sim.expectation(try PauliString(label).resized(to: circuit.qubitCount), state: exact)
            }
            try JSONEncoder().encode(exactValues).write(to: URL(fileURLWithPath: out + "/exact.json"))
            var tasks: [TaskSpec] = []
            for (k, sub) in plan.subexperiments.enumerated() {
                var t = job.template
                t.kind = .quantum
                t.name = "\(stage)[sub \(k)]"
                var subJob = sub.job
                t.request.qpu = p.qpu
                if let device = chosen?.assignment[k].device {
                    // The optimizer's placement: this sub-experiment waits for that device's slot.
                    subJob.device = device
                    t.request.qpu = QPUSelector(device: device, count: 1)
                }
                t.payload = String(decoding: try JSONEncoder().encode(subJob), as: UTF8.self)
                tasks.append(t)
            }
            var fanIn = TaskSpec(name: "\(stage)[reconstruct]", command: [
                job.pilotBinary, "kernel", "reconstruct", "--plan", out + "/plan.json", "--results", out,
                "--exact", out + "/exact.json", "--out", out + "/result.json",
            ], request: ResourceRequest(cores: 1))
            fanIn.workingDirectory = out
            return (.fanOutPlanned(workload: stage, tasks: tasks, fanIn: fanIn),
                    CutSummary(cuts: plan.cuts.count, fragments: plan.fragments.count, subexperiments: tasks.count,
                               gateCuts: plan.gateCuts.count, plan: record?.plan, predictedMakespan: record?.predictedMakespan,
                               devices: record?.devices, runnersUp: record.map { r in
                                   r.runnersUp.map { CutSummary.RunnerUp(plan: $0.plan, predictedMakespan: $0.predictedMakespan) }
                               }))
        } catch {
            return (.fanOutFailed(workload: stage, reason: "\(error)"), nil)
        }
    }
}
