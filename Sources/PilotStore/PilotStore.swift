import Foundation
import GRDB
import PilotCore

/// The manager's durable queue: one SQLite file in WAL mode in the server directory.
///
/// Writes come in batches (one transaction per scheduling round), so throughput is not bound by one
/// commit per task. `synchronous=NORMAL` in WAL mode survives a crash of the process at any point
/// (the property the manager relies on); only a power loss can drop the last commits.
public struct PilotStore: Sendable {
    public let writer: any DatabaseWriter
    public let path: String

    public static let fileName = "pilot.sqlite"

    public init(directory: String) throws(StoreError) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch { throw StoreError(.open, "cannot create \(directory)", cause: error) }
        path = directory + "/" + Self.fileName
        var config = Configuration()
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
            guard !db.configuration.readonly else { return }
            // The writer touches every live task's row and index pages twice per task; past
            // SQLite's default 2 MiB page cache those are read back from the OS per commit.
            try db.execute(sql: "PRAGMA cache_size = -65536")
            // Checkpoints copy each page changed since the last one into the database file: fewer,
            // larger ones write the hot pages (the table's tail, the indexes) fewer times.
            try db.execute(sql: "PRAGMA wal_autocheckpoint = 4096")
        }
        config.busyMode = .timeout(10)
        do {
            writer = try DatabasePool(path: path, configuration: config)
        } catch { throw StoreError(.open, "cannot open \(path)", cause: error) }
        try migrate()
        try checkSchema()
    }

    /// An in-memory store for tests that don't need a file; same migrator as production.
    public init(inMemory: Void) throws(StoreError) {
        path = ":memory:"
        do { writer = try DatabaseQueue() } catch { throw StoreError(.open, "cannot open in-memory database", cause: error) }
        try migrate()
    }

    private func migrate() throws(StoreError) {
        do { try Self.migrator.migrate(writer) } catch { throw StoreError(.migrate, "cannot migrate \(path)", cause: error) }
    }

    public static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1-queue") { db in
            try db.execute(sql: """
                CREATE TABLE spec (id INTEGER PRIMARY KEY, body TEXT NOT NULL);
                CREATE TABLE task (
                    id INTEGER PRIMARY KEY,
                    spec_id INTEGER NOT NULL REFERENCES spec(id),
                    array_index INTEGER,
                    name TEXT,
                    priority INTEGER NOT NULL DEFAULT 0,
                    state TEXT NOT NULL,
                    attempt INTEGER NOT NULL DEFAULT 0,
                    crashes INTEGER NOT NULL DEFAULT 0,
                    failures INTEGER NOT NULL DEFAULT 0,
                    agent INTEGER,
                    binding TEXT,
                    submitted_at REAL NOT NULL,
                    bound_at REAL, started_at REAL, ended_at REAL,
                    exit_code INTEGER, signal INTEGER, reason TEXT, result TEXT,
                    not_before REAL,
                    workflow_id INTEGER, workload_id INTEGER
                );
                CREATE INDEX task_live ON task(state) WHERE state NOT IN ('done', 'failed', 'canceled');
                CREATE TABLE task_event (
                    task_id INTEGER NOT NULL, at REAL NOT NULL, state TEXT NOT NULL,
                    attempt INTEGER NOT NULL, agent INTEGER, reason TEXT
                );
                CREATE INDEX task_event_task ON task_event(task_id);
                CREATE TABLE agent (
                    id INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE, hostname TEXT NOT NULL, pilot TEXT,
                    resources TEXT NOT NULL, state TEXT NOT NULL, registered_at REAL NOT NULL, last_seen REAL NOT NULL,
                    deadline REAL
                );
                CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                """)
        }
        m.registerMigration("v1-resources") { db in
            try db.execute(sql: """
                CREATE TABLE pilot (
                    id TEXT PRIMARY KEY, slurm_job_id INTEGER, profile TEXT, state TEXT NOT NULL, reason TEXT,
                    nodes INTEGER, submitted_at REAL NOT NULL, started_at REAL, ended_at REAL, walltime_end REAL,
                    request TEXT, allocation TEXT
                );
                CREATE TABLE workflow (
                    id INTEGER PRIMARY KEY, name TEXT NOT NULL, file TEXT, dir TEXT, state TEXT NOT NULL,
                    created_at REAL NOT NULL, ended_at REAL, body TEXT NOT NULL
                );
                CREATE TABLE workload (
                    id INTEGER PRIMARY KEY, workflow_id INTEGER REFERENCES workflow(id), stage TEXT NOT NULL,
                    motif TEXT NOT NULL, state TEXT NOT NULL, params TEXT, summary TEXT,
                    created_at REAL NOT NULL, started_at REAL, ended_at REAL, reason TEXT
                );
                """)
        }
        registerPilotMigrations(&m)
        registerWorkflowMigrations(&m)
        m.registerMigration("v4-live-index") { db in
            // Every task update evaluates the partial index's condition on the old and the new row, and
            // SQLite codes `NOT IN (3 constants)` by building a temporary b-tree each time: two per update,
            // a tenth of the manager's time with null tasks. Plain comparisons select the same rows.
            try db.execute(sql: """
                DROP INDEX task_live;
                CREATE INDEX task_live ON task(state) WHERE \(Self.liveCondition);
                """)
        }
        registerJournalMigrations(&m)
        return m
    }

    /// Tasks not yet ended. A query that should use the `task_live` index must state exactly this.
    static let liveCondition = "state <> 'done' AND state <> 'failed' AND state <> 'canceled'"

    // MARK: - Meta

    public func meta(_ key: String) throws(StoreError) -> String? {
        try read { db in try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = ?", arguments: [key]) }
    }

    public func setMeta(_ key: String, _ value: String) throws(StoreError) {
        try write { db in try db.execute(sql: "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", arguments: [key, value]) }
    }

    // MARK: - Plumbing

    func read<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        do { return try writer.read(body) } catch { throw StoreError(.read, "read from \(path) failed", cause: error) }
    }

    func write<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        do { return try writer.write(body) } catch { throw StoreError(.write, "write to \(path) failed", cause: error) }
    }

    public var sizeBytes: UInt64 {
        let fm = FileManager.default
        return [path, path + "-wal"].reduce(0) { acc, p in
            acc + ((try? fm.attributesOfItem(atPath: p)[.size] as? UInt64) ?? 0)
        }
    }
}
