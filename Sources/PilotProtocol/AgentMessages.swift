import PilotCore

/// A task an agent is running (or ran): identified by task id and attempt, so a report from an
/// earlier attempt (a healed partition) is recognised and never recorded twice.
public struct TaskKey: Sendable, Codable, Hashable {
    public var task: Int64
    public var attempt: Int
    public init(task: Int64, attempt: Int) { self.task = task; self.attempt = attempt }
}

public struct RunningTask: Sendable, Codable, Hashable {
    public var key: TaskKey
    public var pid: Int32?
    public var startedAt: Double
    public init(key: TaskKey, pid: Int32?, startedAt: Double) { self.key = key; self.pid = pid; self.startedAt = startedAt }
}

/// How one attempt ended, as data: a non-zero exit is not an error of the system.
public struct TaskOutcome: Sendable, Codable, Hashable {
    public enum Kind: String, Sendable, Codable {
        /// The process ran and ended (any exit code or signal).
        case exited
        /// It could not be started (exec failed, bad cwd): the attempt fails without retry.
        case launchFailed = "launch_failed"
        /// Stopped by the agent because its pilot drains (walltime, SIGTERM): requeue.
        case drained
        /// Stopped because the manager canceled it.
        case canceled
    }
    public var key: TaskKey
    public var kind: Kind
    public var exitCode: Int32?
    public var signal: Int32?
    public var timedOut: Bool
    public var startedAt: Double?
    public var endedAt: Double
    public var reason: String?
    /// A kernel's result (e.g. a quantum job's counts) as JSON text.
    public var result: String?
    /// Why the result the task left was refused (not JSON, too large, not a regular file): the
    /// attempt fails even with exit code 0, since a workflow would otherwise go on without it.
    public var resultError: String?

    public init(key: TaskKey, kind: Kind, exitCode: Int32? = nil, signal: Int32? = nil, timedOut: Bool = false,
                startedAt: Double? = nil, endedAt: Double, reason: String? = nil, result: String? = nil) {
        self.key = key; self.kind = kind; self.exitCode = exitCode; self.signal = signal; self.timedOut = timedOut
        self.startedAt = startedAt; self.endedAt = endedAt; self.reason = reason; self.result = result
    }

    public var succeeded: Bool { kind == .exited && exitCode == 0 && signal == nil && !timedOut && resultError == nil }
}

/// What the manager sends an agent to run: the spec, this node's slots, and for gangs the whole layout.
public struct TaskAssignment: Sendable, Codable, Hashable {
    public var key: TaskKey
    public var spec: TaskSpec
    public var placement: NodePlacement
    /// For gang tasks: the hostnames of all nodes in rank order, and this node's position.
    public var gangHosts: [String]?
    public var qpu: QPULease?
    /// For gang tasks: every node's placement, in the order of `gangHosts` (the first is `placement`),
    /// so the head agent can pin each rank on every node to its own cores and GPUs.
    public var gangPlacements: [NodePlacement]?
    public init(key: TaskKey, spec: TaskSpec, placement: NodePlacement, gangHosts: [String]? = nil, qpu: QPULease? = nil,
                gangPlacements: [NodePlacement]? = nil) {
        self.key = key; self.spec = spec; self.placement = placement; self.gangHosts = gangHosts; self.qpu = qpu
        self.gangPlacements = gangPlacements
    }
}

public struct AgentHello: Sendable, Codable {
    public var token: String
    /// Stable across reconnects, so the manager reattaches the same agent after a restart.
    public var agentUUID: String
    public var hostname: String
    public var pilot: String?
    public var resources: NodeResources
    public var deadline: Double?
    public var draining: Bool
    public var running: [RunningTask]
    public var finished: [TaskOutcome]
    /// Tasks per core the agent can hold (running + queued waiting for their cores). Absent in
    /// agents that predate prefetch: they start whatever they get at once, so they get depth 1.
    public var prefetch: Int?
    /// Whether the agent understands `assignRefs` (array members sent as template id + index).
    public var templates: Bool?
    /// Whether the agent reads `BinaryFrame`s.
    public var binary: Bool?
    /// Whether the agent reads every assignment in binary: full ones, templates, QPU leases and
    /// custom resources, with acknowledgements riding on full ones too (absent: older agent).
    public var binaryAssign: Bool?
    public init(token: String, agentUUID: String, hostname: String, pilot: String?, resources: NodeResources, deadline: Double?,
                draining: Bool = false, running: [RunningTask] = [], finished: [TaskOutcome] = [], prefetch: Int? = nil,
                templates: Bool? = nil, binary: Bool? = nil, binaryAssign: Bool? = nil) {
        self.token = token; self.agentUUID = agentUUID; self.hostname = hostname; self.pilot = pilot; self.resources = resources
        self.deadline = deadline; self.draining = draining; self.running = running; self.finished = finished
        self.prefetch = prefetch
        self.templates = templates
        self.binary = binary
        self.binaryAssign = binaryAssign
    }
}

public struct Welcome: Sendable, Codable {
    public var agentID: Int
    public var heartbeatInterval: Double
    /// Of the running tasks the agent reported, those the manager no longer wants (canceled, or
    /// re-bound elsewhere while the agent was away): the agent kills them without reporting results.
    public var kill: [TaskKey]
    /// The manager reads `started` carried in a `finished` envelope, so an agent may report both in
    /// one frame (absent: older manager, send them apart).
    public var combined: Bool?
    /// Whether the manager reads `BinaryFrame`s.
    public var binary: Bool?
    public init(agentID: Int, heartbeatInterval: Double, kill: [TaskKey] = [], combined: Bool? = nil, binary: Bool? = nil) {
        self.agentID = agentID; self.heartbeatInterval = heartbeatInterval; self.kill = kill; self.combined = combined
        self.binary = binary
    }
}

/// Agent → manager. Exactly one payload field is set; `type` names it.
public struct AgentEnvelope: Sendable, Codable {
    public enum Kind: String, Sendable, Codable { case hello, started, finished, heartbeat, draining }
    public var v: Int = WireVersion.current
    public var type: Kind
    public var hello: AgentHello?
    public var started: [RunningTask]?
    public var finished: [TaskOutcome]?
    public var reason: String?
    public var deadline: Double?

    public static func hello(_ h: AgentHello) -> Self { Self(type: .hello, hello: h) }
    public static func started(_ s: [RunningTask]) -> Self { Self(type: .started, started: s) }
    public static func finished(_ f: [TaskOutcome]) -> Self { Self(type: .finished, finished: f) }
    public static var heartbeat: Self { Self(type: .heartbeat) }
    public static func draining(_ reason: String, deadline: Double?) -> Self { Self(type: .draining, reason: reason, deadline: deadline) }
}

/// An array member by reference: the agent holds the template (sent once per connection) and
/// instantiates it with the index, so the full spec is not encoded and decoded once per task.
///
/// Its JSON is flat (`task`, `attempt`, `template`, `index`, and for a one-rank CPU-only placement
/// `agent`, `cores`, `pus`, `domains`; otherwise `placement`): each nested keyed container costs the
/// Foundation coders more than the values in it, and this message is sent once per task.
public struct AssignmentRef: Sendable, Codable, Hashable {
    public var key: TaskKey
    public var template: Int64
    public var index: Int
    public var placement: NodePlacement
    public var qpu: QPULease?
    public init(key: TaskKey, template: Int64, index: Int, placement: NodePlacement, qpu: QPULease? = nil) {
        self.key = key; self.template = template; self.index = index; self.placement = placement; self.qpu = qpu
    }

    enum CodingKeys: String, CodingKey { case task, attempt, template, index, agent, cores, pus, domains, placement, qpu }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(key.task, forKey: .task)
        try c.encode(key.attempt, forKey: .attempt)
        try c.encode(template, forKey: .template)
        try c.encode(index, forKey: .index)
        let p = placement
        if p.ranks.count == 1, p.ranks[0].gpus.isEmpty, p.memoryBytes == 0, p.custom.isEmpty {
            try c.encode(p.agent, forKey: .agent)
            try c.encode(p.ranks[0].cores, forKey: .cores)
            try c.encode(p.ranks[0].pus, forKey: .pus)
            try c.encode(p.ranks[0].domains, forKey: .domains)
        } else {
            try c.encode(p, forKey: .placement)
        }
        try c.encodeIfPresent(qpu, forKey: .qpu)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        key = TaskKey(task: try c.decode(Int64.self, forKey: .task), attempt: try c.decode(Int.self, forKey: .attempt))
        template = try c.decode(Int64.self, forKey: .template)
        index = try c.decode(Int.self, forKey: .index)
        if let p = try c.decodeIfPresent(NodePlacement.self, forKey: .placement) {
            placement = p
        } else {
            let rank = NodePlacement.RankSlots(cores: try c.decode([Int].self, forKey: .cores), pus: try c.decode([Int].self, forKey: .pus),
                                               gpus: [], domains: try c.decode([Int].self, forKey: .domains))
            placement = NodePlacement(agent: try c.decode(Int.self, forKey: .agent), ranks: [rank])
        }
        qpu = try c.decodeIfPresent(QPULease.self, forKey: .qpu)
    }
}

/// Array templates carried with `assignRefs`. `reset` tells the agent to drop every template it
/// holds first (the manager bounds how many one connection accumulates).
public struct TemplateBatch: Sendable, Codable, Hashable {
    public var reset: Bool
    public var specs: [Int64: TaskSpec]
    public init(reset: Bool = false, specs: [Int64: TaskSpec]) { self.reset = reset; self.specs = specs }
}

/// Manager → agent.
public struct ManagerEnvelope: Sendable, Codable {
    public enum Kind: String, Sendable, Codable { case welcome, assign, assignRefs, cancel, ack, error, drain }
    public var v: Int = WireVersion.current
    public var type: Kind
    public var welcome: Welcome?
    public var assign: [TaskAssignment]?
    public var refs: [AssignmentRef]?
    public var templates: TemplateBatch?
    public var cancel: [TaskKey]?
    public var ack: [TaskKey]?
    public var error: APIErrorBody?
    public var drain: DrainOrder?

    public static func welcome(_ w: Welcome) -> Self { Self(type: .welcome, welcome: w) }
    public static func assign(_ a: [TaskAssignment]) -> Self { Self(type: .assign, assign: a) }
    /// `ack` may ride along: agents that take `assignRefs` also read acknowledgements from it.
    public static func assignRefs(_ r: [AssignmentRef], templates: TemplateBatch?, ack: [TaskKey]? = nil) -> Self {
        Self(type: .assignRefs, refs: r, templates: templates, ack: ack)
    }
    public static func cancel(_ c: [TaskKey]) -> Self { Self(type: .cancel, cancel: c) }
    public static func ack(_ k: [TaskKey]) -> Self { Self(type: .ack, ack: k) }
    public static func error(_ e: APIErrorBody) -> Self { Self(type: .error, error: e) }
    public static func drain(_ d: DrainOrder) -> Self { Self(type: .drain, drain: d) }
}
