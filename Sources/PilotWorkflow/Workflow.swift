/// A validated workflow file: a DAG of stages, each generating one workload through its motif.
///
/// The file is YAML (one document, at most 8 MiB, nesting at most 64 levels, no duplicate keys):
///
/// ```yaml
/// version: 1                       # required, must be 1
/// name: mixed-motifs               # optional, letters/digits/_/-, default "workflow"
/// seed: 42                         # optional; the lead seeds the WorkflowContext with it
/// defaults: {cores: 1, retries: 1} # optional task settings for every stage (flat keys, see below)
/// stages:                          # required, non-empty; keys are stage names ([A-Za-z0-9_-]{1,64})
///   prep:
///     motif: ensemble              # ensemble | coupled | cutting | iterative | pipeline
///     needs: [other]               # optional; a name or a list of names
///     command: ["sh", "-c", "echo {i} {params.theta} > {{stage.outputs}}/out-{i}.txt"]
///     sweep: {x: "0-7", theta: [0.1, 0.2], s: {seeds: 4}}   # or `count: N`
///     resources: {cores: 1, gpus: 0, mem: 1G, qpu: "ideal-sim:1", custom: {license: 1}}
///     time: 30s                    # expected runtime; also time_limit, priority, retries,
///                                  # env (map), cwd, capture_output, max_failures
///   mpi:   {motif: coupled, command: [...], nodes: 2, ranks_per_node: 2, cores_per_rank: 1, gpus_per_rank: 0}
///   cut:   {motif: cutting, circuit: c.qasm, max_fragment_qubits: 7, observables: [ZZZZ], shots: 4000, device: sc-27}
///   vqe:   {motif: iterative, driver: vqe, params: {qubits: 4}, max_rounds: 40}
///   flow:  {motif: pipeline, items: "0-9", steps: [{name: a, command: [...]}, {name: b, command: [...]}]}
/// ```
///
/// Task settings keys (in `defaults` flat; in a stage or step, resource keys go under `resources`):
/// `cores`, `gpus`, `mem`, `qpu`, `custom`, `time`, `time_limit`, `priority`, `retries`, `env`,
/// `cwd`, `capture_output`. A step overrides its stage, a stage overrides `defaults`.
///
/// Templates in commands, `env` values, `cwd` and `circuit` paths: `{{workflow.dir}}`,
/// `{{workflow.id}}`, `{{stages.NAME.outputs}}` (`<workflow dir>/NAME`), `{{stage.name}}`,
/// `{{stage.outputs}}`; per task `{i}` (index within the stage), `{params.X}` (sweep variable),
/// `{item}`/`{step}` (pipeline), `{round}` (iterative command driver).
///
/// The full reference is `WORKFLOW-FORMAT.md` beside this file.
public struct Workflow: Sendable, Hashable {
    public var version: Int
    public var name: String
    public var seed: UInt64?
    public var defaults: TaskSettings
    /// In file order, which is also the tie-break of the topological order.
    public var stages: [StageDefinition]
    /// The name given to the reader, for messages.
    public var file: String?

    public init(version: Int = 1, name: String, seed: UInt64? = nil, defaults: TaskSettings = TaskSettings(),
                stages: [StageDefinition], file: String? = nil) {
        self.version = version
        self.name = name
        self.seed = seed
        self.defaults = defaults
        self.stages = stages
        self.file = file
    }

    public func stage(named name: String) -> StageDefinition? { stages.first { $0.name == name } }

    /// Reads and validates YAML text with default limits.
    public static func parse(yaml: String, file: String? = nil) throws(WorkflowError) -> Workflow {
        try WorkflowReader().read(yaml: yaml, file: file)
    }
}
