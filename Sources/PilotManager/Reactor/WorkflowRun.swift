import PilotQuantum
import PilotWorkflow

/// One running workflow in the manager: the pure engine plus the mapping between its local task
/// indices and the queue's task ids.
struct WorkflowRun: Sendable {
    let id: Int64
    var engine: WorkflowEngine
    let file: String?
    var createdAt: Double = 0
    var state: String = "running"
    var endedAt: Double?
    var retries = 0
    /// Stage → local index → task id, and the way back.
    var tasks: [String: [Int: Int64]] = [:]
    var workloads: [String: Int64] = [:]
    var reasons: [String: String] = [:]
    /// The state last written to the store, so a rebuilt engine re-announcing it writes nothing.
    var recordedState: String?
    var recordedEndedAt: Double?
    /// Stored workload rows per stage, oldest first, handed out to the rebuilt engine's stage starts in order.
    var storedWorkloads: [String: [Int64]] = [:]
    /// Workload row → state last written.
    var workloadStates: [Int64: String] = [:]
    /// Stored tasks the rebuilt engine has not asked for yet: stage → local index → task id.
    var unclaimed: [String: [Int: Int64]] = [:]
    /// A fan-out plan waiting to be stored with the first tasks it produces.
    var pendingPlans: [String: String] = [:]
    /// Resource-seconds per stage, accumulated as tasks end.
    var usage: [String: StageUsage] = [:]
    /// Stages the cutting optimizer planned: the plan and when it was planned, so the stage's end
    /// can record the measured makespan beside the predicted one (not restored after a restart).
    var dreamerPlans: [String: DreamerStagePlan] = [:]
}

/// Resource-seconds a stage's ended tasks used.
struct StageUsage: Sendable {
    var cores: Double = 0
    var gpus: Double = 0
    var qpu: Double = 0
}

/// Where a task sits in the workflow layer.
struct WorkflowTaskRef: Sendable {
    var workflow: Int64
    var stage: String
    var localIndex: Int
}
