import PilotCore

/// Turns a stage definition into its workload. Pure and deterministic: the same stage and
/// context give the same tasks in the same order.
public enum MotifGenerator {
    /// Refuses to materialise more than this many tasks for one stage.
    public static let maxTasksPerStage = 10_000_000

    public static func workload(for stage: StageDefinition, context: WorkflowContext) throws(WorkflowError) -> Workload {
        switch stage.body {
        case .ensemble(let spec): return try ensemble(stage, spec, context)
        case .coupled(let spec): return coupled(stage, spec, context)
        case .cutting(let spec): return cutting(stage, spec, context)
        case .iterative(let spec): return iterative(stage, spec, context)
        case .pipeline(let spec): return try pipeline(stage, spec, context)
        }
    }

    static func taskName(_ stage: String, _ index: Int) -> String { "\(stage)[\(index)]" }

    private static func invalid(_ stage: StageDefinition, _ message: String) -> WorkflowError {
        WorkflowError(.invalidValue, message, line: stage.line, column: stage.column, field: "stages.\(stage.name)")
    }
}

extension MotifGenerator {
    static func ensemble(_ stage: StageDefinition, _ spec: EnsembleSpec,
                         _ context: WorkflowContext) throws(WorkflowError) -> Workload {
        let sweepCount = spec.sweep.count
        if !spec.sweep.variables.isEmpty {
            guard let n = sweepCount, n == spec.count else {
                throw invalid(stage, "the ensemble's count (\(spec.count)) does not match its sweep (\(sweepCount.map(String.init) ?? "overflow"))")
            }
        }
        guard spec.count >= 1, spec.count <= maxTasksPerStage else {
            throw WorkflowError(.tooManyTasks, "\(spec.count) tasks; between 1 and \(maxTasksPerStage) are allowed",
                                line: stage.line, column: stage.column, field: "stages.\(stage.name)")
        }
        var tasks: [PlannedTask] = []
        tasks.reserveCapacity(spec.count)
        let hasSweep = !spec.sweep.variables.isEmpty
        for k in 0..<spec.count {
            let params = hasSweep ? spec.sweep.combination(at: k, seed: context.seed, stage: stage.name) : [:]
            var t = stage.settings.taskSpec(command: spec.command, context: context,
                                            bindings: .init(stage: stage.name, index: k, params: params))
            t.name = taskName(stage.name, k)
            t.arrayIndex = k
            tasks.append(PlannedTask(localIndex: k, spec: t))
        }
        return Workload(stage: stage.name, motif: .ensemble, plan: .tasks(tasks),
                        hints: PlacementHints(manySmallTasks: true), maxFailures: stage.maxFailures)
    }

    static func coupled(_ stage: StageDefinition, _ spec: CoupledSpec, _ context: WorkflowContext) -> Workload {
        var settings = stage.settings
        settings.cores = spec.coresPerRank
        settings.gpus = spec.gpusPerRank
        var t = settings.taskSpec(command: spec.command, context: context, bindings: .init(stage: stage.name),
                                  request: settings.request(nodes: spec.nodes, ranksPerNode: spec.ranksPerNode))
        t.name = taskName(stage.name, 0)
        return Workload(stage: stage.name, motif: .coupled, plan: .tasks([PlannedTask(localIndex: 0, spec: t)]),
                        hints: PlacementHints(gang: true), maxFailures: 0)
    }

    static func cutting(_ stage: StageDefinition, _ spec: CuttingSpec, _ context: WorkflowContext) -> Workload {
        let bindings = Template.Bindings(stage: stage.name)
        let source: CuttingStagePlan.CircuitSource
        switch spec.circuit {
        case .file(let path): source = .file(path: path.render(context, bindings))
        case .random(let q, let d, let seed):
            source = .random(qubits: q, depth: d,
                             seed: seed ?? SeedSequence.seed(root: context.seed, stage: stage.name, variable: "circuit", index: 0))
        }
        // The device was validated when the file was read; `any` is the fallback for a plan built by hand.
        let qpu = spec.device == CuttingStagePlan.autoDevice
            ? QPUSelector(device: nil) : (try? QPUSelector(parsing: spec.device)) ?? QPUSelector(device: nil)
        let plan = CuttingStagePlan(circuitSource: source, maxFragmentQubits: spec.maxFragmentQubits,
                                    observables: spec.observables, shots: spec.shots, device: spec.device, qpu: qpu)
        var settings = stage.settings
        settings.qpu = qpu
        var fanOutTemplate = TaskSpec(kind: .quantum, request: settings.request())
        settings.applyScalars(to: &fanOutTemplate, context: context, bindings: bindings)
        fanOutTemplate.name = stage.name

        var reconstruct = TaskSpec(name: "\(stage.name)[reconstruct]", kind: .null,
                                   request: ResourceRequest(cores: 1))
        reconstruct.payload = "{\"stage\":\(ParamValue.quote(stage.name)),\"observables\":"
            + ParamValue.list(spec.observables.map { .string($0) }).json + "}"
        return Workload(stage: stage.name, motif: .cutting,
                        plan: .twoPhase(TwoPhaseWorkload(fanOut: .deferred(plan), fanOutTemplate: fanOutTemplate,
                                                         fanIn: reconstruct)),
                        hints: PlacementHints(manySmallTasks: true), maxFailures: stage.maxFailures)
    }

    static func iterative(_ stage: StageDefinition, _ spec: IterativeSpec, _ context: WorkflowContext) -> Workload {
        let bindings = Template.Bindings(stage: stage.name)
        let driver: IterativeStagePlan.Driver
        switch spec.driver {
        case .builtin(let n): driver = .builtin(n)
        case .command(let c): driver = .command(c.map { $0.render(context, bindings) })
        }
        var template = TaskSpec(request: stage.settings.request())
        stage.settings.applyScalars(to: &template, context: context, bindings: bindings)
        let plan = IterativeStagePlan(stage: stage.name, driver: driver, params: spec.params, maxRounds: spec.maxRounds,
                                      taskTemplate: template)
        return Workload(stage: stage.name, motif: .iterative, plan: .iterative(plan), hints: PlacementHints(),
                        maxFailures: stage.maxFailures)
    }

    static func pipeline(_ stage: StageDefinition, _ spec: PipelineSpec,
                         _ context: WorkflowContext) throws(WorkflowError) -> Workload {
        let n = spec.items.count
        let (total, overflow) = n.multipliedReportingOverflow(by: spec.steps.count)
        guard !overflow, total >= 1, total <= maxTasksPerStage else {
            throw WorkflowError(.tooManyTasks, "\(spec.steps.count) steps × \(n) items; between 1 and \(maxTasksPerStage) tasks are allowed",
                                line: stage.line, column: stage.column, field: "stages.\(stage.name)")
        }
        var tasks: [PlannedTask] = []
        tasks.reserveCapacity(total)
        for (s, step) in spec.steps.enumerated() {
            for (i, item) in spec.items.enumerated() {
                let local = s * n + i
                var t = step.settings.taskSpec(command: step.command, context: context,
                                               bindings: .init(stage: stage.name, index: i, item: item, step: step.name))
                t.name = "\(stage.name).\(step.name)[\(i)]"
                t.arrayIndex = i
                tasks.append(PlannedTask(localIndex: local, spec: t, dependsOn: s == 0 ? [] : [local - n],
                                         colocationKey: "\(stage.name)/\(i)"))
            }
        }
        return Workload(stage: stage.name, motif: .pipeline, plan: .tasks(tasks),
                        hints: PlacementHints(colocateByKey: true), maxFailures: stage.maxFailures)
    }
}
