import GRDB
import PilotCore

/// How the tasks of an id range ended, from the task table and the journal: the exactly-once
/// check of `pilot bench agents` after agents dropped and reconnected mid-run.
public struct EndingAudit: Sendable, Hashable {
    /// Tasks in the range by state (task table).
    public var states: [String: Int] = [:]
    /// Tasks with no terminal journal record (task_finished, task_failed or task_canceled).
    public var neverEnded = 0
    /// Tasks with exactly one terminal journal record.
    public var endedOnce = 0
    /// Tasks with more than one: ended twice, the failure this audit looks for.
    public var endedMoreThanOnce = 0
    /// `agent_lost` records in the whole journal.
    public var agentsLost = 0

    public init() {}

    /// Every task of the range is done and ended exactly once.
    public func exactlyOnce(count: Int) -> Bool {
        states["done"] == count && endedOnce == count && neverEnded == 0 && endedMoreThanOnce == 0
    }
}

extension PilotStore {
    /// Audits tasks `first...last`. Reads only; meant for a store whose manager has stopped.
    public func auditEndings(first: Int64, last: Int64) throws(StoreError) -> EndingAudit {
        try read { db in
            var a = EndingAudit()
            for row in try Row.fetchAll(db, sql: "SELECT state, COUNT(*) AS n FROM task WHERE id BETWEEN ? AND ? GROUP BY state",
                                        arguments: [first, last]) {
                a.states[row["state"]] = row["n"]
            }
            let terminal = [JournalKind.taskFinished, .taskFailed, .taskCanceled].map { "'\($0.rawValue)'" }.joined(separator: ",")
            // Terminal records name one task each (only submissions cover ranges).
            let rows = try Row.fetchAll(db, sql: """
                SELECT n, COUNT(*) AS tasks FROM (
                    SELECT task, COUNT(*) AS n FROM journal INDEXED BY journal_task
                    WHERE task BETWEEN ? AND ? AND kind IN (\(terminal)) GROUP BY task)
                GROUP BY n
                """, arguments: [first, last])
            var seen = 0
            for row in rows {
                let n: Int = row["n"], tasks: Int = row["tasks"]
                seen += tasks
                if n == 1 { a.endedOnce += tasks } else { a.endedMoreThanOnce += tasks }
            }
            a.neverEnded = Int(last - first + 1) - seen
            a.agentsLost = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM journal WHERE kind = ?",
                                            arguments: [JournalKind.agentLost.rawValue]) ?? 0
            return a
        }
    }
}
