import PilotCore
import PilotStore

/// What a previous manager left in the store, read once before the reactor starts.
public struct ReactorSnapshot: Sendable {
    public var counts: [TaskState: Int] = [:]
    public var liveTasks: [TaskRow] = []
    public var specs: [Int64: TaskSpec] = [:]
    public var agents: [AgentRow] = []
    public var pilots: [PilotRow] = []
    public var allocQueues: [AllocQueueRow] = []
    public var workflows: [StoredWorkflow] = []
    public var maxTaskID: Int64 = 0
    public var maxSpecID: Int64 = 0
    public var maxWorkflowID: Int64 = 0
    public var maxWorkloadID: Int64 = 0
    public var lastSeq: Int64 = 0
    /// Tasks that ended failed or canceled: how a dependency on one that is no longer live ended.
    public var endedBadly: Set<Int64> = []

    public init() {}

    /// One workflow with the history its engine is rebuilt from.
    public struct StoredWorkflow: Sendable {
        public var row: WorkflowRow
        public var tasks: [(stage: String, row: TaskRow)]
        public var workloads: [WorkloadRow]
        public var specs: [Int64: TaskSpec]
        public init(row: WorkflowRow, tasks: [(stage: String, row: TaskRow)], workloads: [WorkloadRow], specs: [Int64: TaskSpec]) {
            self.row = row; self.tasks = tasks; self.workloads = workloads; self.specs = specs
        }
    }

    /// Reads everything a restarted manager needs. Blocking: call it before serving, off any event loop.
    public static func load(from store: PilotStore) throws(StoreError) -> ReactorSnapshot {
        var s = ReactorSnapshot()
        s.counts = try store.counts()
        s.liveTasks = try store.liveTasks()
        s.endedBadly = try store.taskIDs(states: [.failed, .canceled])
        s.specs = try store.specs(Set(s.liveTasks.map(\.specID)))
        s.agents = try store.agents()
        s.pilots = try store.pilots()
        s.allocQueues = try store.allocQueues()
        for w in try store.workflows() {
            let tasks = try store.workflowTasks(w.id)
            s.workflows.append(StoredWorkflow(row: w, tasks: tasks, workloads: try store.workloads(workflow: w.id),
                                              specs: try store.specs(Set(tasks.map(\.row.specID)))))
        }
        let ids = try store.maxIDs()
        (s.maxTaskID, s.maxSpecID, s.maxWorkflowID, s.maxWorkloadID, s.lastSeq) = (ids.task, ids.spec, ids.workflow, ids.workload, ids.journal)
        return s
    }
}
