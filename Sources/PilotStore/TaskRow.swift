import PilotCore

/// The durable state of one task, as the manager writes it after each batch of changes.
/// The normal path's history is in the timestamp columns; unusual transitions go to `task_event`.
public struct TaskRow: Sendable, Hashable {
    public var id: Int64
    public var specID: Int64
    public var arrayIndex: Int?
    public var name: String?
    public var priority: Int
    public var state: TaskState
    public var attempt: Int
    public var crashes: Int
    public var failures: Int
    public var agent: Int?
    public var binding: Binding?
    public var submittedAt: Double
    public var boundAt: Double?
    public var startedAt: Double?
    public var endedAt: Double?
    public var exitCode: Int32?
    public var signal: Int32?
    public var reason: String?
    public var result: String?
    public var notBefore: Double?
    public var workflow: Int64?
    public var workload: Int64?
    /// The task's index within its workflow stage (the engine's local index), unique across the
    /// stage's attempts: what a restarted manager adopts the task by instead of submitting it again.
    public var stageIndex: Int?

    public init(id: Int64, specID: Int64, arrayIndex: Int?, name: String?, priority: Int, state: TaskState, submittedAt: Double) {
        self.id = id; self.specID = specID; self.arrayIndex = arrayIndex; self.name = name; self.priority = priority
        self.state = state; self.attempt = 0; self.crashes = 0; self.failures = 0; self.submittedAt = submittedAt
    }
}

/// One unusual transition (requeue, retry, cancel, loss) kept for `pilot status ID`.
public struct TaskEventRow: Sendable, Hashable {
    public var task: Int64
    public var at: Double
    public var state: TaskState
    public var attempt: Int
    public var agent: Int?
    public var reason: String?
    public init(task: Int64, at: Double, state: TaskState, attempt: Int, agent: Int?, reason: String?) {
        self.task = task; self.at = at; self.state = state; self.attempt = attempt; self.agent = agent; self.reason = reason
    }
}

public struct AgentRow: Sendable, Hashable {
    public var id: Int
    public var uuid: String
    public var hostname: String
    public var pilot: String?
    public var resources: NodeResources
    public var state: String
    public var registeredAt: Double
    public var lastSeen: Double
    public var deadline: Double?
    public init(id: Int, uuid: String, hostname: String, pilot: String?, resources: NodeResources, state: String,
                registeredAt: Double, lastSeen: Double, deadline: Double?) {
        self.id = id; self.uuid = uuid; self.hostname = hostname; self.pilot = pilot; self.resources = resources
        self.state = state; self.registeredAt = registeredAt; self.lastSeen = lastSeen; self.deadline = deadline
    }
}
