import GRDB
import GRDBSQLite
import PilotCore

/// The UPDATE every state change of a task goes through, bound with SQLite's C API on GRDB's cached
/// statement. It runs about twice per task, so GRDB's `StatementArguments` (an array of boxed values
/// per execution) cost more here than the row write itself; everything else goes through GRDB.
struct TaskUpdateStatement {
    static let sql = """
        UPDATE task SET state = ?, attempt = ?, crashes = ?, failures = ?, agent = ?, binding = ?, bound_at = ?,
            started_at = ?, ended_at = ?, exit_code = ?, signal = ?, reason = ?, result = ?, not_before = ?
        WHERE id = ?
        """

    private let statement: Statement
    private let db: Database

    init(_ db: Database) throws {
        self.db = db
        statement = try db.cachedStatement(sql: Self.sql)
    }

    func execute(_ t: TaskRow) throws {
        let h = statement.sqliteStatement
        sqlite3_reset(h)
        sqlite3_clear_bindings(h)
        bind(1, t.state.rawValue)
        sqlite3_bind_int64(h, 2, Int64(t.attempt))
        sqlite3_bind_int64(h, 3, Int64(t.crashes))
        sqlite3_bind_int64(h, 4, Int64(t.failures))
        if let a = t.agent { sqlite3_bind_int64(h, 5, Int64(a)) }
        if let b = t.binding { bind(6, b.storeJSON) }
        bind(7, t.boundAt)
        bind(8, t.startedAt)
        bind(9, t.endedAt)
        if let c = t.exitCode { sqlite3_bind_int64(h, 10, Int64(c)) }
        if let s = t.signal { sqlite3_bind_int64(h, 11, Int64(s)) }
        if let r = t.reason { bind(12, r) }
        if let r = t.result { bind(13, r) }
        bind(14, t.notBefore)
        sqlite3_bind_int64(h, 15, t.id)
        let rc = sqlite3_step(h)
        sqlite3_reset(h)
        guard rc == SQLITE_DONE else {
            throw DatabaseError(resultCode: ResultCode(rawValue: rc), message: String(cString: sqlite3_errmsg(db.sqliteConnection)),
                                sql: Self.sql)
        }
    }

    private func bind(_ i: Int32, _ v: Double?) {
        guard let v else { return }
        sqlite3_bind_double(statement.sqliteStatement, i, v)
    }

    private func bind(_ i: Int32, _ s: String) {
        // SQLite copies the text (SQLITE_TRANSIENT): the C string lives only for this call.
        var s = s
        s.withUTF8 { buf in
            _ = buf.withMemoryRebound(to: CChar.self) {
                sqlite3_bind_text(statement.sqliteStatement, i, $0.baseAddress, Int32($0.count), Self.transient)
            }
        }
    }

    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
}
