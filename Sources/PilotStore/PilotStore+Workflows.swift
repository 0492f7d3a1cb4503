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
}

extension PilotStore {
    public func insertWorkflow(name: String, file: String?, dir: String, body: String, at: Double) throws(StoreError) -> Int64 {
        try write { db in
            try db.execute(sql: "INSERT INTO workflow(name, file, dir, state, created_at, body) VALUES (?, ?, ?, 'running', ?, ?)",
                           arguments: [name, file, dir, at, body])
            return db.lastInsertedRowID
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
            try Row.fetchAll(db, sql: "SELECT id, name, file, dir, state, created_at, ended_at FROM workflow ORDER BY id").map {
                WorkflowRow(id: $0["id"], name: $0["name"], file: $0["file"], dir: $0["dir"], state: $0["state"],
                            createdAt: $0["created_at"], endedAt: $0["ended_at"])
            }
        }
    }

    public func workloads(workflow: Int64) throws(StoreError) -> [WorkloadRow] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM workload WHERE workflow_id = ? ORDER BY id", arguments: [workflow]).map {
                WorkloadRow(id: $0["id"], workflow: $0["workflow_id"], stage: $0["stage"], motif: $0["motif"], state: $0["state"],
                            summary: $0["summary"], createdAt: $0["created_at"], startedAt: $0["started_at"],
                            endedAt: $0["ended_at"], reason: $0["reason"])
            }
        }
    }
}
