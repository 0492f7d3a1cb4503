/// One validated stage of a workflow file: its place in the DAG, its task settings (already layered
/// over the workflow's `defaults`) and its motif-specific part.
public struct StageDefinition: Sendable, Hashable {
    public var name: String
    public var motif: Motif
    public var needs: [String]
    public var settings: TaskSettings
    /// Tasks that may fail (after their own retries) before the stage is failed.
    public var maxFailures: Int
    public var body: Body
    /// Where the stage's key is in the file, for errors found after reading (e.g. while generating).
    public var line: Int?
    public var column: Int?

    public enum Body: Sendable, Hashable {
        case ensemble(EnsembleSpec)
        case coupled(CoupledSpec)
        case cutting(CuttingSpec)
        case iterative(IterativeSpec)
        case pipeline(PipelineSpec)
    }

    public init(name: String, motif: Motif, needs: [String] = [], settings: TaskSettings = TaskSettings(),
                maxFailures: Int = 0, body: Body, line: Int? = nil, column: Int? = nil) {
        self.name = name
        self.motif = motif
        self.needs = needs
        self.settings = settings
        self.maxFailures = maxFailures
        self.body = body
        self.line = line
        self.column = column
    }
}

/// `motif: ensemble`: one task per combination of `sweep` (or `count` copies).
public struct EnsembleSpec: Sendable, Hashable {
    public var command: [Template]
    public var sweep: SweepSpec
    /// Total tasks: the sweep's size, or `count` when there is no sweep.
    public var count: Int
    public init(command: [Template], sweep: SweepSpec, count: Int) {
        self.command = command
        self.sweep = sweep
        self.count = count
    }
}

/// `motif: coupled`: one gang task of `nodes × ranks_per_node` ranks.
public struct CoupledSpec: Sendable, Hashable {
    public var command: [Template]
    public var nodes: Int
    public var ranksPerNode: Int
    public var coresPerRank: Int
    public var gpusPerRank: Int
    public init(command: [Template], nodes: Int, ranksPerNode: Int, coresPerRank: Int, gpusPerRank: Int) {
        self.command = command
        self.nodes = nodes
        self.ranksPerNode = ranksPerNode
        self.coresPerRank = coresPerRank
        self.gpusPerRank = gpusPerRank
    }
}

/// `motif: cutting` as written; rendered into a `CuttingStagePlan` at generation time.
public struct CuttingSpec: Sendable, Hashable {
    public enum Circuit: Sendable, Hashable {
        case file(Template)
        case random(qubits: Int, depth: Int, seed: UInt64?)
    }
    public var circuit: Circuit
    public var maxFragmentQubits: Int
    public var observables: [String]
    public var shots: Int
    public var device: String
    public init(circuit: Circuit, maxFragmentQubits: Int, observables: [String], shots: Int, device: String) {
        self.circuit = circuit
        self.maxFragmentQubits = maxFragmentQubits
        self.observables = observables
        self.shots = shots
        self.device = device
    }
}

/// `motif: iterative` as written.
public struct IterativeSpec: Sendable, Hashable {
    public enum Driver: Sendable, Hashable {
        case builtin(String)
        case command([Template])
    }
    public var driver: Driver
    public var params: ParamValue
    public var maxRounds: Int
    public init(driver: Driver, params: ParamValue, maxRounds: Int) {
        self.driver = driver
        self.params = params
        self.maxRounds = maxRounds
    }
}

/// `motif: pipeline`: `steps × items`, each (step k, item i) waiting only on (step k-1, item i).
public struct PipelineSpec: Sendable, Hashable {
    public struct Step: Sendable, Hashable {
        public var name: String
        public var command: [Template]
        /// Already layered over the stage's settings.
        public var settings: TaskSettings
        public init(name: String, command: [Template], settings: TaskSettings) {
            self.name = name
            self.command = command
            self.settings = settings
        }
    }
    public var steps: [Step]
    public var items: [ParamValue]
    public init(steps: [Step], items: [ParamValue]) {
        self.steps = steps
        self.items = items
    }
}
