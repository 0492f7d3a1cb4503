import Foundation
import GRDB
import PilotCore

extension PilotStore {
    /// Stores a submission: each template once, and one row per task. Ids are the manager's,
    /// allocated contiguously so the reply can be a range.
    ///
    /// A workflow stage's tasks carry their stage indices (`stage`), and a fan-out plan when they are
    /// the tasks it produced, in the same transaction: a restarted manager never finds tasks it
    /// cannot place in their stage, nor a plan whose tasks are half there.
    public func insert(specs: [(spec: TaskSpec, indices: [Int]?)], firstID: Int64, submittedAt: Double,
                       workflow: Int64? = nil, workload: Int64? = nil, stage: StageTaskLink? = nil) throws(StoreError) -> [TaskRow] {
        var rows: [TaskRow] = []
        rows.reserveCapacity(specs.reduce(0) { $0 + ($1.indices?.count ?? 1) })
        try insert(specs: specs, firstID: firstID, submittedAt: submittedAt, workflow: workflow, workload: workload, stage: stage) {
            rows.append($0)
        }
        return rows
    }

    /// Hands each stored row to `each` instead of returning them all: a million-member array then
    /// never exists twice in memory (once as the returned rows, once in the caller's tables). Rows
    /// handed over belong to a transaction that may still fail; the caller learns it from the throw.
    @discardableResult
    public func insert(specs: [(spec: TaskSpec, indices: [Int]?)], firstID: Int64, submittedAt: Double,
                       workflow: Int64? = nil, workload: Int64? = nil, stage: StageTaskLink? = nil,
                       each: (TaskRow) -> Void) throws(StoreError) -> Int {
        let enc = JSONEncoder()
        return try write { db in
            var count = 0
            var id = firstID
            let taskStmt = try db.cachedStatement(sql: """
                INSERT INTO task(id, spec_id, array_index, name, priority, state, submitted_at, workflow_id, workload_id, stage_index)
                VALUES (?, ?, ?, ?, ?, 'ready', ?, ?, ?, ?)
                """)
            if let plan = stage?.fanOutPlan, let w = workload {
                try db.execute(sql: "UPDATE workload SET plan = ? WHERE id = ?", arguments: [plan, w])
            }
            for (spec, indices) in specs {
                let body = try spec.storeJSON ?? String(decoding: enc.encode(spec), as: UTF8.self)
                try db.execute(sql: "INSERT INTO spec(body) VALUES (?)", arguments: [body])
                let specID = db.lastInsertedRowID
                for index in indices ?? [-1] {
                    let arrayIndex = index >= 0 ? index : nil
                    let name = arrayIndex.map { spec.memberName(index: $0) } ?? spec.name
                    let stageIndex = stage.flatMap { count < $0.indices.count ? $0.indices[count] : nil }
                    try taskStmt.execute(arguments: [id, specID, arrayIndex, name, spec.priority, submittedAt, workflow, workload,
                                                     stageIndex])
                    var r = TaskRow(id: id, specID: specID, arrayIndex: arrayIndex, name: name, priority: spec.priority,
                                    state: .ready, submittedAt: submittedAt)
                    r.workflow = workflow
                    r.workload = workload
                    r.stageIndex = stageIndex
                    each(r)
                    count += 1
                    id += 1
                }
            }
            return count
        }
    }

    /// Writes one batch in one transaction. Directories and files come first: a task bound in this
    /// batch may run in them the moment the commit returns.
    public func apply(_ batch: WriteBatch) throws(StoreError) {
        guard !batch.isEmpty else { return }
        try writeFiles(batch)
        let enc = JSONEncoder()
        try write { db in
            if !batch.newSpecs.isEmpty {
                let insert = try RawStatement(db, sql: "INSERT INTO spec(id, body) VALUES (?, ?)")
                for s in batch.newSpecs {
                    insert.reset()
                    insert.bind(1, s.id)
                    insert.bind(2, try s.spec.storeJSON ?? String(decoding: enc.encode(s.spec), as: UTF8.self))
                    try insert.step()
                }
            }
            for w in batch.newWorkflows {
                try db.execute(sql: """
                    INSERT INTO workflow(id, name, file, dir, state, created_at, ended_at, body, retries) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [w.id, w.name, w.file, w.dir, w.state, w.createdAt, w.endedAt, w.body, w.retries])
            }
            for w in batch.newWorkloads {
                try db.execute(sql: """
                    INSERT INTO workload(id, workflow_id, stage, motif, state, created_at, started_at, plan) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [w.id, w.workflow, w.stage, w.motif, w.state, w.createdAt, w.startedAt, w.plan])
            }
            if !batch.newTasks.isEmpty {
                let insert = try TaskInsertStatement(db)
                for t in batch.newTasks { try insert.execute(t) }
            }
            if !batch.tasks.isEmpty {
                let update = try TaskUpdateStatement(db)
                for t in batch.tasks { try update.execute(t) }
            }
            if !batch.journal.isEmpty { try JournalInsertStatement(db).execute(batch.journal) }
            for (key, value) in batch.meta.sorted(by: { $0.key < $1.key }) {
                try db.execute(sql: "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", arguments: [key, value])
            }
            for a in batch.agents {
                let res = String(decoding: try enc.encode(a.resources), as: UTF8.self)
                try db.execute(sql: """
                    INSERT INTO agent(id, uuid, hostname, pilot, resources, state, registered_at, last_seen, deadline)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(id) DO UPDATE SET hostname = excluded.hostname, pilot = excluded.pilot,
                        resources = excluded.resources, state = excluded.state, last_seen = excluded.last_seen,
                        deadline = excluded.deadline
                    """, arguments: [a.id, a.uuid, a.hostname, a.pilot, res, a.state, a.registeredAt, a.lastSeen, a.deadline])
            }
            for p in batch.pilots { try Self.savePilot(p, db) }
            for q in batch.allocQueues { try Self.saveAllocQueue(q, db) }
            for w in batch.workflowChanges {
                try db.execute(sql: "UPDATE workflow SET state = ?, ended_at = ?, retries = ? WHERE id = ?",
                               arguments: [w.state, w.endedAt, w.retries, w.id])
            }
            for w in batch.workloadChanges {
                try db.execute(sql: """
                    UPDATE workload SET state = COALESCE(?, state), summary = COALESCE(?, summary), ended_at = COALESCE(?, ended_at),
                        reason = COALESCE(?, reason), plan = COALESCE(?, plan) WHERE id = ?
                    """, arguments: [w.state, w.summary, w.endedAt, w.reason, w.plan, w.id])
            }
        }
    }

    private func writeFiles(_ batch: WriteBatch) throws(StoreError) {
        let fm = FileManager.default
        for d in batch.directories {
            do { try fm.createDirectory(atPath: d, withIntermediateDirectories: true) } catch {
                throw StoreError(.write, "cannot create directory \(d)", cause: error)
            }
        }
        for f in batch.files {
            do { try Data(f.contents.utf8).write(to: URL(fileURLWithPath: f.path), options: .atomic) } catch {
                throw StoreError(.write, "cannot write \(f.path)", cause: error)
            }
        }
    }

    /// Ids the manager continues from after a restart.
    public func maxIDs() throws(StoreError) -> (task: Int64, spec: Int64, workflow: Int64, workload: Int64, journal: Int64) {
        try read { db in
            (try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM task") ?? 0,
             try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM spec") ?? 0,
             try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM workflow") ?? 0,
             try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM workload") ?? 0,
             try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM journal") ?? 0)
        }
    }

    // MARK: - Reads

    static let taskColumns = """
        id, spec_id, array_index, name, priority, state, attempt, crashes, failures, agent, binding, submitted_at,
        bound_at, started_at, ended_at, exit_code, signal, reason, result, not_before, workflow_id, workload_id,
        stage_index
        """

    static func decodeTask(_ row: Row, _ dec: JSONDecoder) throws -> TaskRow {
        let stateText: String = row["state"]
        guard let state = TaskState(rawValue: stateText) else {
            throw StoreError(.corrupt, "task \(row["id"] as Int64? ?? -1) has unknown state '\(stateText)'")
        }
        var t = TaskRow(id: row["id"], specID: row["spec_id"], arrayIndex: row["array_index"], name: row["name"],
                        priority: row["priority"], state: state, submittedAt: row["submitted_at"])
        t.attempt = row["attempt"]
        t.crashes = row["crashes"]
        t.failures = row["failures"]
        t.agent = row["agent"]
        if let b: String = row["binding"] { t.binding = try dec.decode(Binding.self, from: Data(b.utf8)) }
        t.boundAt = row["bound_at"]
        t.startedAt = row["started_at"]
        t.endedAt = row["ended_at"]
        t.exitCode = (row["exit_code"] as Int?).map { Int32($0) }
        t.signal = (row["signal"] as Int?).map { Int32($0) }
        t.reason = row["reason"]
        t.result = row["result"]
        t.notBefore = row["not_before"]
        t.workflow = row["workflow_id"]
        t.workload = row["workload_id"]
        t.stageIndex = row["stage_index"]
        return t
    }

    /// Every task not yet terminal: what a restarted manager must restore.
    public func liveTasks() throws(StoreError) -> [TaskRow] {
        try read { db in
            let dec = JSONDecoder()
            return try Row.fetchAll(db, sql: "SELECT \(Self.taskColumns) FROM task INDEXED BY task_live WHERE \(Self.liveCondition) ORDER BY id")
                .map { try Self.decodeTask($0, dec) }
        }
    }

    public func task(_ id: Int64) throws(StoreError) -> TaskRow? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT \(Self.taskColumns) FROM task WHERE id = ?", arguments: [id]).map { try Self.decodeTask($0, JSONDecoder()) }
        }
    }

    /// A page of tasks by id: ascending after `after`, or with `newestFirst` descending below `before`.
    public func tasks(state: TaskState?, after: Int64, limit: Int, workflow: Int64? = nil,
                      newestFirst: Bool = false, before: Int64? = nil) throws(StoreError) -> [TaskRow] {
        try read { db in
            var sql = "SELECT \(Self.taskColumns) FROM task WHERE id > ?"
            var args: [any DatabaseValueConvertible] = [after]
            if let b = before { sql += " AND id < ?"; args.append(b) }
            if let s = state { sql += " AND state = ?"; args.append(s.rawValue) }
            if let w = workflow { sql += " AND workflow_id = ?"; args.append(w) }
            sql += newestFirst ? " ORDER BY id DESC LIMIT ?" : " ORDER BY id LIMIT ?"
            args.append(limit)
            let dec = JSONDecoder()
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(args)).map { try Self.decodeTask($0, dec) }
        }
    }

    public func spec(_ id: Int64) throws(StoreError) -> TaskSpec? {
        try read { db in
            guard let body = try String.fetchOne(db, sql: "SELECT body FROM spec WHERE id = ?", arguments: [id]) else { return nil }
            return try JSONDecoder().decode(TaskSpec.self, from: Data(body.utf8))
        }
    }

    public func specs(_ ids: Set<Int64>) throws(StoreError) -> [Int64: TaskSpec] {
        try read { db in
            var out: [Int64: TaskSpec] = [:]
            let dec = JSONDecoder()
            for id in ids {
                if let body = try String.fetchOne(db, sql: "SELECT body FROM spec WHERE id = ?", arguments: [id]) {
                    out[id] = try dec.decode(TaskSpec.self, from: Data(body.utf8))
                }
            }
            return out
        }
    }

    /// A task's history from the journal: every state change it went through, oldest first.
    public func events(task: Int64) throws(StoreError) -> [TaskEventRow] {
        try journal(task: task).compactMap { r in
            guard let state = r.kind.taskState else { return nil }
            return TaskEventRow(task: task, at: r.at, state: state, attempt: r.attempt ?? 0, agent: r.agent, reason: r.reason)
        }
    }

    /// Ids of the tasks in these states.
    public func taskIDs(states: [TaskState]) throws(StoreError) -> Set<Int64> {
        try read { db in
            let marks = states.map { _ in "?" }.joined(separator: ",")
            return Set(try Int64.fetchAll(db, sql: "SELECT id FROM task WHERE state IN (\(marks))", arguments: StatementArguments(states.map(\.rawValue))))
        }
    }

    public func counts() throws(StoreError) -> [TaskState: Int] {
        try read { db in
            var out: [TaskState: Int] = [:]
            for r in try Row.fetchAll(db, sql: "SELECT state, COUNT(*) AS n FROM task GROUP BY state") {
                if let s = TaskState(rawValue: r["state"]) { out[s] = r["n"] }
            }
            return out
        }
    }

    /// How many of `ids` ended in a state other than done.
    public func countNotDone(_ ids: [Int64]) throws(StoreError) -> Int {
        try read { db in
            var n = 0
            for start in stride(from: 0, to: ids.count, by: 500) {
                let list = ids[start..<min(start + 500, ids.count)].map(String.init).joined(separator: ",")
                n += try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM task WHERE state != 'done' AND id IN (\(list))") ?? 0
            }
            return n
        }
    }

    public func maxTaskID() throws(StoreError) -> Int64 {
        try read { db in try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM task") ?? 0 }
    }

    public func agents() throws(StoreError) -> [AgentRow] {
        try read { db in
            let dec = JSONDecoder()
            return try Row.fetchAll(db, sql: "SELECT * FROM agent ORDER BY id").map { r in
                let res: String = r["resources"]
                return AgentRow(id: r["id"], uuid: r["uuid"], hostname: r["hostname"], pilot: r["pilot"],
                                resources: try dec.decode(NodeResources.self, from: Data(res.utf8)), state: r["state"],
                                registeredAt: r["registered_at"], lastSeen: r["last_seen"], deadline: r["deadline"])
            }
        }
    }
}
