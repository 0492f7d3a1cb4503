import PilotCore

/// Task-level settings as written in `defaults`, a stage, or a pipeline step. Every field is optional
/// so the three levels can be layered: a step overrides its stage, a stage overrides `defaults`.
public struct TaskSettings: Sendable, Hashable {
    public var cores: Int?
    public var gpus: Int?
    public var memoryBytes: UInt64?
    public var qpu: QPUSelector?
    public var custom: [String: Int]?
    /// Expected runtime in seconds.
    public var time: Double?
    public var timeLimit: Double?
    public var priority: Int?
    public var retries: Int?
    public var environment: [EnvironmentEntry]?
    public var workingDirectory: Template?
    public var captureOutput: Bool?

    public struct EnvironmentEntry: Sendable, Hashable {
        public var name: String
        public var value: Template
        public init(name: String, value: Template) { self.name = name; self.value = value }
    }

    public init() {}

    /// `self` where set, otherwise `base`.
    public func layered(over base: TaskSettings) -> TaskSettings {
        var out = base
        if let v = cores { out.cores = v }
        if let v = gpus { out.gpus = v }
        if let v = memoryBytes { out.memoryBytes = v }
        if let v = qpu { out.qpu = v }
        if let v = custom { out.custom = v }
        if let v = time { out.time = v }
        if let v = timeLimit { out.timeLimit = v }
        if let v = priority { out.priority = v }
        if let v = retries { out.retries = v }
        if let v = environment {
            // Environments merge by name rather than replace, so `defaults.env` survives a stage's own env.
            var merged = base.environment ?? []
            for e in v {
                if let k = merged.firstIndex(where: { $0.name == e.name }) { merged[k] = e } else { merged.append(e) }
            }
            out.environment = merged
        }
        if let v = workingDirectory { out.workingDirectory = v }
        if let v = captureOutput { out.captureOutput = v }
        return out
    }

    public func request(nodes: Int = 1, ranksPerNode: Int = 1) -> ResourceRequest {
        ResourceRequest(cores: cores ?? 1, gpus: gpus ?? 0, memoryBytes: memoryBytes ?? 0, nodes: nodes,
                        ranksPerNode: ranksPerNode, custom: custom ?? [:], qpu: qpu)
    }

    /// A concrete task: argv rendered, settings applied; the caller names and indexes it.
    public func taskSpec(command: [Template], context: WorkflowContext, bindings: Template.Bindings,
                         request: ResourceRequest? = nil) -> TaskSpec {
        var t = TaskSpec(kind: .command, command: command.map { $0.render(context, bindings) },
                         request: request ?? self.request())
        applyScalars(to: &t, context: context, bindings: bindings)
        return t
    }

    func applyScalars(to t: inout TaskSpec, context: WorkflowContext, bindings: Template.Bindings) {
        if let env = environment {
            for e in env { t.environment[e.name] = e.value.render(context, bindings) }
        }
        t.workingDirectory = workingDirectory?.render(context, bindings)
        t.timeRequest = time
        t.timeLimit = timeLimit
        if let p = priority { t.priority = p }
        if let r = retries { t.retries = r }
        if let c = captureOutput { t.captureOutput = c }
    }
}
