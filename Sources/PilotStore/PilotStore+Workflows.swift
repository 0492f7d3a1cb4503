import Foundation
import GRDB

/// The workflow and workload layers: one row per workflow, one per stage's workload.
public struct WorkflowRow: Sendable, Codable, Hashable {
    public var id: Int64
    public var name: String
    public var file: String?
    public var dir: String
    public var state: String
    public var createdAt: Double
    public var endedAt: Double?
    /// The workflow document as submitted: a restarted manager rebuilds the engine from it.
    public var body: String = ""
    /// How many times `retry` was applied; replayed in order after a restart.
    public var retries: Int = 0

    public init(id: Int64, name: String, file: String?, dir: String, state: String, createdAt: Double, endedAt: Double? = nil,
                body: String = "", retries: Int = 0) {
        self.id = id; self.name = name; self.file = file; self.dir = dir; self.state = state; self.createdAt = createdAt
        self.endedAt = endedAt; self.body = body; self.retries = retries
    }
}

public struct WorkloadRow: Sendable, Codable, Hashable {
    public var id: Int64
    public var workflow: Int64
    public var stage: String
    public var motif: String
    public var state: String
    public var summary: String?
    public var createdAt: Double
    public var startedAt: Double?
    public var endedAt: Double?
    public var reason: String?
    /// A cutting stage's fan-out plan (or why it could not be made), as the engine was told it.
    public var plan: String?

    public init(id: Int64, workflow: Int64, stage: String, motif: String, state: String, summary: String? = nil, createdAt: Double,
                startedAt: Double? = nil, endedAt: Double? = nil, reason: String? = nil, plan: String? = nil) {
        self.id = id; self.workflow = workflow; self.stage = stage; self.motif = motif; self.state = state; self.summary = summary
        self.createdAt = createdAt; self.startedAt = startedAt; self.endedAt = endedAt; self.reason = reason; self.plan = plan
    }
}

extension PilotStore {
    static func registerWorkflowMigrations(_ m: inout DatabaseMigrator) {
        // What a restarted manager needs to rebuild a workflow's engine, besides the document and
        // the tasks' own rows: each task's index in its stage, each fan-out plan, the retries.
        m.registerMigration("v3-workflow-recovery") { db in
            try db.execute(sql: """
                ALTER TABLE task ADD COLUMN stage_index INTEGER;
                CREATE INDEX task_workflow ON task(workflow_id) WHERE workflow_id IS NOT NULL;
                ALTER TABLE workload ADD COLUMN plan TEXT;
                ALTER TABLE workflow ADD COLUMN retries INTEGER NOT NULL DEFAULT 0;
                """)
        }
    }

    /// Stores a new workflow; `dir` gets the new id, so the directory recorded is the one used.
    public func insertWorkflow(name: String, file: String?, dir: (Int64) -> String, body: String,
                               at: Double) throws(StoreError) -> (id: Int64, dir: String) {
        try write { db in
            try db.execute(sql: "INSERT INTO workflow(name, file, dir, state, created_at, body) VALUES (?, ?, '', 'running', ?, ?)",
                           arguments: [name, file, at, body])
            let id = db.lastInsertedRowID
            let d = dir(id)
            try db.execute(sql: "UPDATE workflow SET dir = ? WHERE id = ?", arguments: [d, id])
            return (id, d)
        }
    }

    /// A retry starts: the workflow runs again and the retry is counted, in one transaction, before
    /// any task of the retried stages is submitted.
    public func recordWorkflowRetry(_ id: Int64) throws(StoreError) {
        try write { db in
            try db.execute(sql: "UPDATE workflow SET state = 'running', ended_at = NULL, retries = retries + 1 WHERE id = ?",
                           arguments: [id])
        }
    }

    /// A fan-out that produced no tasks (it failed): nothing else to commit with it.
    public func setWorkloadPlan(_ id: Int64, plan: String) throws(StoreError) {
        try write { db in try db.execute(sql: "UPDATE workload SET plan = ? WHERE id = ?", arguments: [plan, id]) }
    }

    /// Every task of a workflow, with the stage each belongs to, in id order.
    public func workflowTasks(_ workflow: Int64) throws(StoreError) -> [(stage: String, row: TaskRow)] {
        try read { db in
            let dec = JSONDecoder()
            let cols = Self.taskColumns.split(separator: ",").map { "t." + $0.trimmingCharacters(in: .whitespacesAndNewlines) }
                .joined(separator: ", ")
            return try Row.fetchAll(db, sql: """
                SELECT \(cols), w.stage AS stage_name FROM task t JOIN workload w ON w.id = t.workload_id
                WHERE t.workflow_id = ? ORDER BY t.id
                """, arguments: [workflow]).map { (stage: $0["stage_name"], row: try Self.decodeTask($0, dec)) }
        }
    }

    public func updateWorkflow(_ id: Int64, state: String, endedAt: Double?) throws(StoreError) {
        try write { db in
            try db.execute(sql: "UPDATE workflow SET state = ?, ended_at = ? WHERE id = ?", arguments: [state, endedAt, id])
        }
    }

    public func insertWorkload(workflow: Int64, stage: String, motif: String, at: Double) throws(StoreError) -> Int64 {
        try write { db in
            try db.execute(sql: "INSERT INTO workload(workflow_id, stage, motif, state, created_at, started_at) VALUES (?, ?, ?, 'running', ?, ?)",
                           arguments: [workflow, stage, motif, at, at])
            return db.lastInsertedRowID
        }
    }

    public func updateWorkload(_ id: Int64, state: String, summary: String?, endedAt: Double?, reason: String?) throws(StoreError) {
        try write { db in
            try db.execute(sql: "UPDATE workload SET state = ?, summary = ?, ended_at = ?, reason = ? WHERE id = ?",
                           arguments: [state, summary, endedAt, reason, id])
        }
    }

    public func workflows() throws(StoreError) -> [WorkflowRow] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT id, name, file, dir, state, created_at, ended_at, body, retries FROM workflow ORDER BY id").map {
                WorkflowRow(id: $0["id"], name: $0["name"], file: $0["file"], dir: $0["dir"], state: $0["state"],
                            createdAt: $0["created_at"], endedAt: $0["ended_at"], body: $0["body"], retries: $0["retries"])
            }
        }
    }

    public func workloads(workflow: Int64) throws(StoreError) -> [WorkloadRow] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM workload WHERE workflow_id = ? ORDER BY id", arguments: [workflow]).map {
                WorkloadRow(id: $0["id"], workflow: $0["workflow_id"], stage: $0["stage"], motif: $0["motif"], state: $0["state"],
                            summary: $0["summary"], createdAt: $0["created_at"], startedAt: $0["started_at"],
                            endedAt: $0["ended_at"], reason: $0["reason"], plan: $0["plan"])
            }
        }
    }
}
