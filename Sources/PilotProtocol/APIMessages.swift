import PilotCore

/// The error body every API failure carries: a stable code, a message, and the offending field.
public struct APIErrorBody: Sendable, Codable, Error, Hashable, CustomStringConvertible {
    public var code: String
    public var message: String
    public var field: String?
    public init(code: String, message: String, field: String? = nil) { self.code = code; self.message = message; self.field = field }
    public var description: String { field.map { "\($0): \(message)" } ?? message }
}

public struct ErrorEnvelope: Sendable, Codable { public var error: APIErrorBody; public init(error: APIErrorBody) { self.error = error } }

public struct SubmitRequest: Sendable, Codable {
    public var v: Int?
    /// Individual tasks.
    public var tasks: [TaskSpec]?
    /// Or one template expanded over an index range (`1-1000`), stored once. In JSON this is a
    /// task object with an `array` key, as in a tasks file.
    public var array: ArraySubmission?
    public var workflow: Int64?
    public var workload: Int64?
    public init(tasks: [TaskSpec]? = nil, array: ArraySubmission? = nil) { self.tasks = tasks; self.array = array }

    enum CodingKeys: String, CodingKey { case v, tasks, workflow, workload }
    private struct ArrayKey: Decodable { var array: TaskFieldValue? }
    private struct ArrayOnly: Encodable { var array: String }
    /// The template's fields and `array` in one object.
    private struct ArrayTask: Encodable {
        var a: ArraySubmission
        func encode(to encoder: any Encoder) throws {
            try a.template.encode(to: encoder)
            try ArrayOnly(array: a.range).encode(to: encoder)
        }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        v = try c.decodeIfPresent(Int.self, forKey: .v)
        workflow = try c.decodeIfPresent(Int64.self, forKey: .workflow)
        workload = try c.decodeIfPresent(Int64.self, forKey: .workload)
        let specs = try c.decodeIfPresent([TaskSpec].self, forKey: .tasks) ?? []
        let ranges = try c.decodeIfPresent([ArrayKey].self, forKey: .tasks) ?? []
        let arrays = ranges.enumerated().filter { $0.element.array != nil && $0.element.array != .null }
        guard let (i, a) = arrays.first else { tasks = specs; return }
        guard specs.count == 1 else {
            throw CoreError(.invalidRequest, "a task with `array` is submitted on its own (one per request)", field: "tasks[\(i)].array")
        }
        let field = TaskField.named("array")!
        _ = try field.range(a.array!, path: "tasks[0].array")
        array = ArraySubmission(template: specs[0], range: try field.text(a.array!, path: "tasks[0].array"))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(v, forKey: .v)
        try c.encodeIfPresent(workflow, forKey: .workflow)
        try c.encodeIfPresent(workload, forKey: .workload)
        if let a = array {
            var list = c.nestedUnkeyedContainer(forKey: .tasks)
            try list.encode(ArrayTask(a: a))
        } else {
            try c.encodeIfPresent(tasks, forKey: .tasks)
        }
    }
}

public struct ArraySubmission: Sendable, Codable {
    public var template: TaskSpec
    public var range: String
    public init(template: TaskSpec, range: String) { self.template = template; self.range = range }
}

/// Ids of one submission are contiguous.
public struct SubmitResponse: Sendable, Codable {
    public var first: Int64
    public var count: Int
    public init(first: Int64, count: Int) { self.first = first; self.count = count }
    public var ids: ClosedRange<Int64>? { count > 0 ? first...(first + Int64(count) - 1) : nil }
}

public struct TaskInfo: Sendable, Codable, Hashable {
    public var id: Int64
    public var name: String?
    public var state: TaskState
    public var attempt: Int
    public var crashes: Int
    public var agent: Int?
    public var hostname: String?
    public var priority: Int
    public var exitCode: Int32?
    public var signal: Int32?
    public var reason: String?
    public var submittedAt: Double
    public var startedAt: Double?
    public var endedAt: Double?
    public var spec: TaskSpec?
    public var binding: Binding?
    /// The task's result file, as the JSON value it holds.
    public var result: JSONText?
    public var stdoutPath: String?
    public var stderrPath: String?
    public var history: [TaskEvent]?
    public init(id: Int64, name: String?, state: TaskState, attempt: Int, crashes: Int, agent: Int?, hostname: String?, priority: Int,
                exitCode: Int32?, signal: Int32?, reason: String?, submittedAt: Double, startedAt: Double?, endedAt: Double?) {
        self.id = id; self.name = name; self.state = state; self.attempt = attempt; self.crashes = crashes; self.agent = agent
        self.hostname = hostname; self.priority = priority; self.exitCode = exitCode; self.signal = signal; self.reason = reason
        self.submittedAt = submittedAt; self.startedAt = startedAt; self.endedAt = endedAt
    }
}

public struct TaskEvent: Sendable, Codable, Hashable {
    public var at: Double
    public var state: TaskState
    public var attempt: Int
    public var agent: Int?
    public var reason: String?
    public init(at: Double, state: TaskState, attempt: Int, agent: Int?, reason: String?) {
        self.at = at; self.state = state; self.attempt = attempt; self.agent = agent; self.reason = reason
    }
}

public struct TaskList: Sendable, Codable { public var tasks: [TaskInfo]; public init(tasks: [TaskInfo]) { self.tasks = tasks } }

public struct AgentInfo: Sendable, Codable, Hashable {
    public var id: Int
    public var uuid: String
    public var hostname: String
    public var pilot: String?
    public var state: String
    public var cores: Int
    public var freeCores: Int
    public var gpus: Int
    public var freeGPUs: Int
    public var tasks: Int
    public var deadline: Double?
    public var lastSeen: Double
    public var resources: NodeResources?
    /// When it first registered (manager clock); a pilot's start-up ends with its last agent's.
    public var registeredAt: Double?
    public init(id: Int, uuid: String, hostname: String, pilot: String?, state: String, cores: Int, freeCores: Int, gpus: Int,
                freeGPUs: Int, tasks: Int, deadline: Double?, lastSeen: Double, resources: NodeResources? = nil) {
        self.id = id; self.uuid = uuid; self.hostname = hostname; self.pilot = pilot; self.state = state; self.cores = cores
        self.freeCores = freeCores; self.gpus = gpus; self.freeGPUs = freeGPUs; self.tasks = tasks; self.deadline = deadline
        self.lastSeen = lastSeen; self.resources = resources
    }
}

public struct AgentList: Sendable, Codable { public var agents: [AgentInfo]; public init(agents: [AgentInfo]) { self.agents = agents } }

public struct Summary: Sendable, Codable, Hashable {
    public var counts: [String: Int]
    public var agents: Int
    public var version: String
    public var startedAt: Double
    public init(counts: [String: Int], agents: Int, version: String, startedAt: Double) {
        self.counts = counts; self.agents = agents; self.version = version; self.startedAt = startedAt
    }
    public func count(_ s: TaskState) -> Int { counts[s.rawValue] ?? 0 }
    public var total: Int { counts.values.reduce(0, +) }
    public var terminal: Int { count(.done) + count(.failed) + count(.canceled) }
}

public struct CancelRequest: Sendable, Codable { public var ids: [Int64]; public init(ids: [Int64]) { self.ids = ids } }
public struct CancelResponse: Sendable, Codable { public var canceled: [Int64]; public init(canceled: [Int64]) { self.canceled = canceled } }

/// What `GET /v1/wait` returns: whether every listed task (or every task) is terminal, and the counts.
public struct WaitResponse: Sendable, Codable {
    public var finished: Bool
    public var summary: Summary
    public var failed: Int
    public init(finished: Bool, summary: Summary, failed: Int) { self.finished = finished; self.summary = summary; self.failed = failed }
}

/// `POST /v1/tasks/resubmit`: new tasks from ended ones (by state, workflow, or ids).
public struct ResubmitRequest: Sendable, Codable {
    public var state: TaskState?
    public var workflow: Int64?
    public var ids: [Int64]?
    public init(state: TaskState? = .failed, workflow: Int64? = nil, ids: [Int64]? = nil) {
        self.state = state; self.workflow = workflow; self.ids = ids
    }
}

/// What a resubmission made: the new ids (contiguous) and the tasks they came from, in order.
public struct ResubmitResponse: Sendable, Codable {
    public var first: Int64
    public var count: Int
    public var from: [Int64]
    public init(first: Int64, count: Int, from: [Int64]) { self.first = first; self.count = count; self.from = from }
}
