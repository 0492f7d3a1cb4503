import GRDB
import GRDBSQLite

/// One of GRDB's cached statements, bound and stepped through SQLite's C API. For the statements
/// that run once or more per task (task insert and update, spec insert, journal insert): GRDB's
/// `StatementArguments` box every value in an array per execution, which cost more there than the
/// row write itself. Everything else goes through GRDB.
struct RawStatement {
    private let statement: Statement
    private let db: Database
    private let sql: String

    init(_ db: Database, sql: String) throws {
        self.db = db
        self.sql = sql
        statement = try db.cachedStatement(sql: sql)
    }

    /// Clears the previous execution's bindings: an unbound parameter is NULL.
    func reset() {
        sqlite3_reset(statement.sqliteStatement)
        sqlite3_clear_bindings(statement.sqliteStatement)
    }

    func bind(_ i: Int32, _ v: Int64?) {
        guard let v else { return }
        sqlite3_bind_int64(statement.sqliteStatement, i, v)
    }

    func bind(_ i: Int32, _ v: Int?) { bind(i, v.map(Int64.init)) }

    func bind(_ i: Int32, _ v: Double?) {
        guard let v else { return }
        sqlite3_bind_double(statement.sqliteStatement, i, v)
    }

    func bind(_ i: Int32, _ s: String?) {
        guard var s else { return }
        // SQLite copies the text (SQLITE_TRANSIENT): the C string lives only for this call.
        s.withUTF8 { buf in
            _ = buf.withMemoryRebound(to: CChar.self) {
                sqlite3_bind_text(statement.sqliteStatement, i, $0.baseAddress, Int32($0.count), Self.transient)
            }
        }
    }

    /// Runs the statement to completion; a failure names the statement.
    func step() throws {
        let h = statement.sqliteStatement
        let rc = sqlite3_step(h)
        guard rc == SQLITE_DONE else {
            let msg = String(cString: sqlite3_errmsg(db.sqliteConnection))
            sqlite3_reset(h)
            throw DatabaseError(resultCode: ResultCode(rawValue: rc), message: msg, sql: sql)
        }
        sqlite3_reset(h)
    }

    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
}
