import GRDB
import PilotCore

/// The UPDATE every state change of a task goes through; it runs about twice per task.
struct TaskUpdateStatement {
    static let sql = """
        UPDATE task SET state = ?, attempt = ?, crashes = ?, failures = ?, agent = ?, binding = ?, bound_at = ?,
            started_at = ?, ended_at = ?, exit_code = ?, signal = ?, reason = ?, result = ?, not_before = ?
        WHERE id = ?
        """

    private let statement: RawStatement

    init(_ db: Database) throws {
        statement = try RawStatement(db, sql: Self.sql)
    }

    func execute(_ t: TaskRow) throws {
        let s = statement
        s.reset()
        s.bind(1, t.state.rawValue)
        s.bind(2, t.attempt)
        s.bind(3, t.crashes)
        s.bind(4, t.failures)
        s.bind(5, t.agent)
        s.bind(6, t.binding?.storeJSON)
        s.bind(7, t.boundAt)
        s.bind(8, t.startedAt)
        s.bind(9, t.endedAt)
        s.bind(10, t.exitCode.map(Int.init))
        s.bind(11, t.signal.map(Int.init))
        s.bind(12, t.reason)
        s.bind(13, t.result)
        s.bind(14, t.notBefore)
        s.bind(15, t.id)
        try s.step()
    }
}
