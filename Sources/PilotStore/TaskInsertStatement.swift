import GRDB
import PilotCore

/// The INSERT of a task submitted through the reactor; one per task.
struct TaskInsertStatement {
    static let sql = """
        INSERT INTO task(id, spec_id, array_index, name, priority, state, submitted_at, workflow_id, workload_id, stage_index)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """

    private let statement: RawStatement

    init(_ db: Database) throws {
        statement = try RawStatement(db, sql: Self.sql)
    }

    func execute(_ t: TaskRow) throws {
        let s = statement
        s.reset()
        s.bind(1, t.id)
        s.bind(2, t.specID)
        s.bind(3, t.arrayIndex)
        s.bind(4, t.name)
        s.bind(5, t.priority)
        // `new` for a task waiting on others (`after`), `ready` otherwise.
        s.bind(6, t.state.rawValue)
        s.bind(7, t.submittedAt)
        s.bind(8, t.workflow)
        s.bind(9, t.workload)
        s.bind(10, t.stageIndex)
        try s.step()
    }
}
