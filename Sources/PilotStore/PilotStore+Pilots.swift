import GRDB

extension PilotStore {
    /// The `pilot` table predates pilots being submitted by the manager (v1-resources); this adds
    /// what autoscaling needs: which queue submitted a pilot, and the queues themselves.
    static func registerPilotMigrations(_ m: inout DatabaseMigrator) {
        m.registerMigration("v2-pilots") { db in
            try db.execute(sql: """
                ALTER TABLE pilot ADD COLUMN queue_id INTEGER;
                CREATE TABLE alloc_queue (
                    id INTEGER PRIMARY KEY, params TEXT NOT NULL, state TEXT NOT NULL, reason TEXT,
                    created_at REAL NOT NULL
                );
                """)
        }
    }

    /// Pilots change a few times in their life, so each change is its own small transaction
    /// rather than part of the task group commit.
    public func savePilot(_ p: PilotRow) throws(StoreError) {
        try write { db in try Self.savePilot(p, db) }
    }

    static func savePilot(_ p: PilotRow, _ db: Database) throws {
            try db.execute(sql: """
                INSERT OR REPLACE INTO pilot(id, slurm_job_id, profile, state, reason, nodes, submitted_at, started_at,
                    ended_at, walltime_end, request, allocation, queue_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [p.id, p.slurmJobID, p.profile, p.state, p.reason, p.nodeCount, p.submittedAt, p.startedAt,
                                 p.endedAt, p.walltimeEnd, p.request, p.nodes.joined(separator: ","), p.queue])
    }

    public func pilots() throws(StoreError) -> [PilotRow] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM pilot ORDER BY submitted_at, id").map { r in
                let alloc: String? = r["allocation"]
                return PilotRow(id: r["id"], slurmJobID: r["slurm_job_id"], profile: r["profile"] ?? "", state: r["state"],
                                reason: r["reason"], nodeCount: r["nodes"] ?? 0,
                                nodes: alloc.map { $0.split(separator: ",").map(String.init) } ?? [],
                                submittedAt: r["submitted_at"], startedAt: r["started_at"], endedAt: r["ended_at"],
                                walltimeEnd: r["walltime_end"], request: r["request"], queue: r["queue_id"])
            }
        }
    }

    public func saveAllocQueue(_ q: AllocQueueRow) throws(StoreError) {
        try write { db in try Self.saveAllocQueue(q, db) }
    }

    static func saveAllocQueue(_ q: AllocQueueRow, _ db: Database) throws {
        try db.execute(sql: "INSERT OR REPLACE INTO alloc_queue(id, params, state, reason, created_at) VALUES (?, ?, ?, ?, ?)",
                       arguments: [q.id, q.params, q.state, q.reason, q.createdAt])
    }

    public func allocQueues() throws(StoreError) -> [AllocQueueRow] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM alloc_queue ORDER BY id").map { r in
                AllocQueueRow(id: r["id"], params: r["params"], state: r["state"], reason: r["reason"], createdAt: r["created_at"])
            }
        }
    }
}
