/// One entry of the manager's event journal: a change of state, numbered in the order it happened.
///
/// The journal is written in the same transaction as the change it records, so a record exists if
/// and only if its change is durable. Every view of a run (the live stream, metrics, reports, the
/// performance model) reads this one ordered record.
public struct JournalRecord: Sendable, Hashable, Codable {
    /// Strictly increasing across restarts.
    public var seq: Int64
    /// Unix seconds when the manager made the change.
    public var at: Double
    public var kind: JournalKind
    public var task: Int64?
    /// Last task of a range (a submission of many tasks is one record).
    public var taskEnd: Int64?
    public var attempt: Int?
    public var agent: Int?
    public var pilot: String?
    public var workflow: Int64?
    public var stage: String?
    public var workload: Int64?
    /// The new state, where the kind covers several (pilot, workflow, stage, workload, queue).
    public var state: String?
    public var reason: String?
    /// Kind-specific facts as a JSON object (a plan's predictions, a device, a queue decision).
    public var detail: String?

    public init(seq: Int64 = 0, at: Double, kind: JournalKind, task: Int64? = nil, taskEnd: Int64? = nil, attempt: Int? = nil,
                agent: Int? = nil, pilot: String? = nil, workflow: Int64? = nil, stage: String? = nil, workload: Int64? = nil,
                state: String? = nil, reason: String? = nil, detail: String? = nil) {
        self.seq = seq; self.at = at; self.kind = kind; self.task = task; self.taskEnd = taskEnd; self.attempt = attempt
        self.agent = agent; self.pilot = pilot; self.workflow = workflow; self.stage = stage; self.workload = workload
        self.state = state; self.reason = reason; self.detail = detail
    }

    enum CodingKeys: String, CodingKey {
        case seq, at, kind, task, taskEnd, attempt, agent, pilot, workflow, stage, workload, state, reason, detail
    }

    /// Whether the record concerns `id` (a range covers every task in it).
    public func covers(task id: Int64) -> Bool {
        guard let t = task else { return false }
        return t == id || (taskEnd.map { t <= id && id <= $0 } ?? false)
    }
}

/// What a journal record records. The raw values are the wire and storage names.
public enum JournalKind: String, Sendable, Hashable, Codable, CaseIterable {
    case taskSubmitted = "task_submitted"
    /// Held in `new` until the tasks it names in `after` end.
    case taskWaiting = "task_waiting"
    /// Its dependencies ended: `new` → `ready`.
    case taskReady = "task_ready"
    case taskBound = "task_bound"
    case taskStarted = "task_started"
    case taskFinished = "task_finished"
    case taskFailed = "task_failed"
    case taskRetried = "task_retried"
    case taskCanceled = "task_canceled"
    case agentRegistered = "agent_registered"
    case agentReattached = "agent_reattached"
    case agentDisconnected = "agent_disconnected"
    case agentDraining = "agent_draining"
    case agentLost = "agent_lost"
    case pilotState = "pilot_state"
    case pilotDrain = "pilot_drain"
    case leaseAcquired = "lease_acquired"
    case leaseReleased = "lease_released"
    /// `qpu: auto` chose a device when binding: `state` is the device, `detail` the policy and the
    /// predictions it ranked.
    case deviceChosen = "device_chosen"
    case workflowState = "workflow_state"
    case stageState = "stage_state"
    case workloadState = "workload_state"
    case cutPlanned = "cut_planned"
    case allocDecision = "alloc_decision"
    /// The access token was replaced (`detail`: the old one's grace); never the token itself.
    case tokenRotated = "token_rotated"

    /// The task state a task record moves its task to.
    public var taskState: TaskState? {
        switch self {
        case .taskSubmitted, .taskRetried, .taskReady: .ready
        case .taskWaiting: .new
        case .taskBound: .bound
        case .taskStarted: .running
        case .taskFinished: .done
        case .taskFailed: .failed
        case .taskCanceled: .canceled
        default: nil
        }
    }
}
