import Foundation
import GRDB
import GRDBSQLite
import PilotCore

/// The event journal: one row per change of state, numbered by the manager, written in the
/// transaction of the change. Indexed by sequence number (the key) and by task.
extension PilotStore {
    static func registerJournalMigrations(_ m: inout DatabaseMigrator) {
        m.registerMigration("v5-journal") { db in
            try db.execute(sql: """
                CREATE TABLE journal (
                    seq INTEGER PRIMARY KEY, at REAL NOT NULL, kind TEXT NOT NULL,
                    task INTEGER, task_end INTEGER, attempt INTEGER, agent INTEGER, pilot TEXT,
                    workflow INTEGER, stage TEXT, workload INTEGER, state TEXT, reason TEXT, detail TEXT
                );
                CREATE INDEX journal_task ON journal(task) WHERE task IS NOT NULL;
                CREATE INDEX journal_workflow ON journal(workflow) WHERE workflow IS NOT NULL;
                """)
        }
    }

    /// What a reader of the journal may ask for; nil matches everything.
    public struct JournalFilter: Sendable, Hashable {
        public var task: Int64?
        public var workflow: Int64?
        public var pilot: String?
        public var kinds: Set<JournalKind>?
        public init(task: Int64? = nil, workflow: Int64? = nil, pilot: String? = nil, kinds: Set<JournalKind>? = nil) {
            self.task = task; self.workflow = workflow; self.pilot = pilot; self.kinds = kinds
        }

        /// Matches every record.
        public var isEmpty: Bool { task == nil && workflow == nil && pilot == nil && (kinds?.isEmpty ?? true) }

        public func matches(_ r: JournalRecord) -> Bool {
            if let t = task, !r.covers(task: t) { return false }
            if let w = workflow, r.workflow != w { return false }
            if let p = pilot, r.pilot != p { return false }
            if let k = kinds, !k.contains(r.kind) { return false }
            return true
        }
    }

    /// Records after `since`, oldest first, at most `limit`.
    public func journal(since: Int64, limit: Int, filter: JournalFilter = JournalFilter()) throws(StoreError) -> [JournalRecord] {
        try read { db in
            var sql = "SELECT * FROM journal WHERE seq > ?"
            var args: [any DatabaseValueConvertible] = [since]
            if let w = filter.workflow { sql += " AND workflow = ?"; args.append(w) }
            if let p = filter.pilot { sql += " AND pilot = ?"; args.append(p) }
            if let k = filter.kinds, !k.isEmpty {
                sql += " AND kind IN (\(k.map { _ in "?" }.joined(separator: ",")))"
                args += k.map(\.rawValue).sorted()
            }
            if let t = filter.task {
                sql += " AND ((task = ?) OR (task_end IS NOT NULL AND task <= ? AND task_end >= ?))"
                args += [t, t, t]
            }
            sql += " ORDER BY seq LIMIT ?"
            args.append(limit)
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(args)).map(Self.decodeJournal)
        }
    }

    /// Every record that concerns one task, oldest first (a submission range counts).
    public func journal(task: Int64) throws(StoreError) -> [JournalRecord] {
        try read { db in
            let direct = try Row.fetchAll(db, sql: "SELECT * FROM journal WHERE task = ? ORDER BY seq", arguments: [task])
            let ranges = try Row.fetchAll(db, sql: """
                SELECT * FROM journal INDEXED BY journal_task WHERE task < ? AND task_end >= ? AND kind = 'task_submitted'
                """, arguments: [task, task])
            return (direct + ranges).map(Self.decodeJournal).sorted { $0.seq < $1.seq }
        }
    }

    public func journalStats() throws(StoreError) -> (count: Int, first: Int64, last: Int64) {
        try read { db in
            let r = try Row.fetchOne(db, sql: "SELECT COUNT(*) AS n, MIN(seq) AS lo, MAX(seq) AS hi FROM journal")
            return (r?["n"] ?? 0, r?["lo"] ?? 0, r?["hi"] ?? 0)
        }
    }

    /// Applies the retention policy: keeps at most `keep` records and none older than `before`.
    /// Returns how many were removed.
    @discardableResult
    public func pruneJournal(keep: Int?, before: Double?) throws(StoreError) -> Int {
        try write { db in
            var removed = 0
            if let keep, let last = try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM journal") {
                try db.execute(sql: "DELETE FROM journal WHERE seq <= ?", arguments: [last - Int64(keep)])
                removed += db.changesCount
            }
            if let before {
                try db.execute(sql: "DELETE FROM journal WHERE at < ?", arguments: [before])
                removed += db.changesCount
            }
            return removed
        }
    }

    static func decodeJournal(_ r: Row) -> JournalRecord {
        JournalRecord(seq: r["seq"], at: r["at"], kind: JournalKind(rawValue: r["kind"]) ?? .taskFailed, task: r["task"],
                      taskEnd: r["task_end"], attempt: r["attempt"], agent: r["agent"], pilot: r["pilot"], workflow: r["workflow"],
                      stage: r["stage"], workload: r["workload"], state: r["state"], reason: r["reason"], detail: r["detail"])
    }
}

/// The INSERT of every journal record: it runs once or twice per task.
struct JournalInsertStatement {
    static let sql = """
        INSERT INTO journal(seq, at, kind, task, task_end, attempt, agent, pilot, workflow, stage, workload, state, reason, detail)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """
    private let statement: RawStatement

    init(_ db: Database) throws {
        statement = try RawStatement(db, sql: Self.sql)
    }

    func execute(_ records: [JournalRecord]) throws {
        let s = statement
        for r in records {
            s.reset()
            s.bind(1, r.seq)
            s.bind(2, r.at)
            s.bind(3, r.kind.rawValue)
            s.bind(4, r.task)
            s.bind(5, r.taskEnd)
            s.bind(6, r.attempt)
            s.bind(7, r.agent)
            s.bind(8, r.pilot)
            s.bind(9, r.workflow)
            s.bind(10, r.stage)
            s.bind(11, r.workload)
            s.bind(12, r.state)
            s.bind(13, r.reason)
            s.bind(14, r.detail)
            try s.step()
        }
    }
}
