import Foundation
import GRDB

extension PilotStore {
    /// How much journal the store holds, cheaply enough to read on every metrics scrape: the first
    /// and last sequence numbers come from the primary key's ends (no `COUNT(*)` over millions of
    /// rows), and since retention only ever deletes from the old end, the rows between them are all
    /// there. `bytes` is the database file and its write-ahead log on disk.
    public struct JournalExtent: Sendable, Hashable {
        public var rows: Int
        public var firstSeq: Int64
        public var lastSeq: Int64
        public var bytes: Int
    }

    public func journalExtent() throws(StoreError) -> JournalExtent {
        let (lo, hi): (Int64?, Int64?) = try read { db in
            (try Int64.fetchOne(db, sql: "SELECT MIN(seq) FROM journal"), try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM journal"))
        }
        var bytes = 0
        for p in [path, path + "-wal"] {
            var st = stat()
            if stat(p, &st) == 0 { bytes += Int(st.st_size) }
        }
        guard let lo, let hi else { return JournalExtent(rows: 0, firstSeq: 0, lastSeq: 0, bytes: bytes) }
        return JournalExtent(rows: Int(hi - lo + 1), firstSeq: lo, lastSeq: hi, bytes: bytes)
    }
}
