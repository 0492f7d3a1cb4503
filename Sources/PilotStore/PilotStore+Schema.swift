import GRDB

extension PilotStore {
    /// Compares the file's tables and columns with those the production migrator creates on an
    /// empty database. A store whose migrations are recorded but whose tables were dropped or
    /// altered would otherwise be discovered at the first write, mid-run, with tasks half-bound.
    func checkSchema() throws(StoreError) {
        let expected: [String: Set<String>]
        do {
            let fresh = try DatabaseQueue()
            try Self.migrator.migrate(fresh)
            expected = try fresh.read { try Self.schema($0) }
        } catch { throw StoreError(.migrate, "cannot build the reference schema", cause: error) }
        let actual = try read { try Self.schema($0) }
        for table in expected.keys.sorted() {
            guard let columns = actual[table] else {
                throw StoreError(.corrupt, "the store \(path) is damaged: table '\(table)' is missing (move the file away to start empty, or restore a backup)")
            }
            if let missing = expected[table]!.subtracting(columns).sorted().first {
                throw StoreError(.corrupt, "the store \(path) is damaged: table '\(table)' has no column '\(missing)' (move the file away to start empty, or restore a backup)")
            }
        }
    }

    private static func schema(_ db: Database) throws -> [String: Set<String>] {
        let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        var out: [String: Set<String>] = [:]
        for t in tables {
            out[t] = Set(try Row.fetchAll(db, sql: "SELECT name FROM pragma_table_info(?)", arguments: [t]).map { $0["name"] as String })
        }
        return out
    }
}
