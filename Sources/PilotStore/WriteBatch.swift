import PilotCore

/// Everything the manager changed since its last commit, written in one transaction together with
/// the journal records that describe it.
public struct WriteBatch: Sendable {
    /// Templates first stored by this batch, with the ids the manager gave them.
    public var newSpecs: [StoredSpec] = []
    /// Tasks first stored by this batch (state `ready`).
    public var newTasks: [TaskRow] = []
    /// Tasks whose row changed.
    public var tasks: [TaskRow] = []
    public var journal: [JournalRecord] = []
    public var agents: [AgentRow] = []
    public var pilots: [PilotRow] = []
    public var allocQueues: [AllocQueueRow] = []
    public var newWorkflows: [WorkflowRow] = []
    public var workflowChanges: [WorkflowChange] = []
    public var newWorkloads: [WorkloadRow] = []
    public var workloadChanges: [WorkloadChange] = []
    /// Directories created before the transaction: a workflow's and its stages'.
    public var directories: [String] = []
    /// Files written (atomically) before the transaction: a cut plan, a sub-experiment's result.
    public var files: [FileWrite] = []
    /// Settings the manager keeps across restarts (its access token), by key.
    public var meta: [String: String] = [:]

    public init() {}

    public var isEmpty: Bool {
        newSpecs.isEmpty && newTasks.isEmpty && tasks.isEmpty && journal.isEmpty && agents.isEmpty && pilots.isEmpty
            && allocQueues.isEmpty && newWorkflows.isEmpty && workflowChanges.isEmpty && newWorkloads.isEmpty
            && workloadChanges.isEmpty && directories.isEmpty && files.isEmpty && meta.isEmpty
    }

    /// Appends a later batch: its rows overwrite this one's where both changed the same thing.
    public mutating func append(_ b: WriteBatch) {
        newSpecs += b.newSpecs
        newTasks += b.newTasks
        tasks += b.tasks
        journal += b.journal
        agents += b.agents
        pilots += b.pilots
        allocQueues += b.allocQueues
        newWorkflows += b.newWorkflows
        workflowChanges += b.workflowChanges
        newWorkloads += b.newWorkloads
        workloadChanges += b.workloadChanges
        directories += b.directories
        files += b.files
    }
}

public struct StoredSpec: Sendable {
    public var id: Int64
    public var spec: TaskSpec
    public init(id: Int64, spec: TaskSpec) { self.id = id; self.spec = spec }
}

public struct WorkflowChange: Sendable, Hashable {
    public var id: Int64
    public var state: String
    public var endedAt: Double?
    public var retries: Int
    public init(id: Int64, state: String, endedAt: Double?, retries: Int) {
        self.id = id; self.state = state; self.endedAt = endedAt; self.retries = retries
    }
}

/// A workload row's new state, summary, reason or fan-out plan; nil leaves a column as it is.
public struct WorkloadChange: Sendable, Hashable {
    public var id: Int64
    public var state: String?
    public var summary: String?
    public var endedAt: Double?
    public var reason: String?
    public var plan: String?
    public init(id: Int64, state: String? = nil, summary: String? = nil, endedAt: Double? = nil, reason: String? = nil,
                plan: String? = nil) {
        self.id = id; self.state = state; self.summary = summary; self.endedAt = endedAt; self.reason = reason; self.plan = plan
    }
}

public struct FileWrite: Sendable, Hashable {
    public var path: String
    public var contents: String
    public init(path: String, contents: String) { self.path = path; self.contents = contents }
}
