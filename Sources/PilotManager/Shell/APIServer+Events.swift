import Foundation
import Hummingbird
import NIOCore
import PilotCore
import PilotProtocol
import PilotStore

extension APIServer {
    /// `GET /v1/events`: the journal. Without `follow`, a page of records after `since` as JSON;
    /// with `follow=true` (or `Accept: text/event-stream`), Server-Sent Events: the records after
    /// `since` (or `Last-Event-ID`) from the store, then live ones as they commit. A client that
    /// falls `buffer` records behind is sent `event: cut_off` with the sequence to resume after.
    func addEventRoutes(to r: Router<BasicRequestContext>) {
        r.get("/v1/events") { req, _ in
            let q: EventQuery
            do { q = try EventQuery(req) } catch let e as ManagerError { return self.errorResponse(e) } catch {
                return self.errorResponse(ManagerError(.badRequest, "\(error)"))
            }
            guard q.follow else {
                return await self.respond {
                    let store = self.shell.store
                    let records = try await self.shell.blocking { try store.journal(since: q.since, limit: q.limit, filter: q.filter) }
                    return EventPageBody(events: records, lastSeq: self.shell.journal.lastSeq)
                }
            }
            return self.stream(q)
        }
    }

    private func stream(_ q: EventQuery) -> Response {
        let shell = self.shell
        let body = ResponseBody { writer in
            // Subscribe first, then read what is already committed: nothing falls between the two.
            let sub = shell.journal.subscribe(filter: q.filter, limit: q.buffer)
            defer { shell.journal.unsubscribe(sub.id) }
            var cursor = q.since
            let store = shell.store
            while cursor < sub.lastSeq {
                let from = cursor
                let page = try await shell.blocking { try store.journal(since: from, limit: 5_000, filter: q.filter) }
                let upTo = page.filter { $0.seq <= sub.lastSeq }
                if !upTo.isEmpty { try await writer.write(Self.sse(upTo)) }
                cursor = max(cursor, upTo.last?.seq ?? sub.lastSeq)
                if page.count < 5_000 { cursor = max(cursor, sub.lastSeq) }
            }
            try await writer.write(ByteBuffer(string: ": live from \(cursor)\n\n"))
            for await d in sub.stream {
                switch d {
                case .records(let rs):
                    let fresh = rs.first!.seq > cursor ? rs : rs.filter { $0.seq > cursor }
                    if let last = fresh.last {
                        cursor = last.seq
                        try await writer.write(Self.sse(fresh))
                        // Paced: commits of the next few milliseconds go out as one write. Per commit,
                        // a subscriber cost the manager a task wake-up, an event-loop hop and a syscall
                        // (+40 µs of CPU per W2 task); the delay this adds stays far below the stream's 50 ms.
                        try await Task.sleep(for: Self.streamPacing)
                    }
                    shell.journal.consumed(sub.id, rs.count)
                case .keepalive:
                    try await writer.write(ByteBuffer(string: ": keepalive\n\n"))
                case .cutOff(let after):
                    try await writer.write(ByteBuffer(string: "event: cut_off\ndata: {\"resume_after\":\(max(after, cursor))}\n\n"))
                    try await writer.finish(nil)
                    return
                }
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"], body: body)
    }

    static let streamPacing = Duration.milliseconds(5)

    static func sse(_ records: [JournalRecord]) -> ByteBuffer {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(records.count * 200)
        for r in records {
            bytes.append(contentsOf: "id: ".utf8)
            JSONLiteral.appendInteger(r.seq, to: &bytes)
            bytes.append(contentsOf: "\nevent: ".utf8)
            bytes.append(contentsOf: r.kind.rawValue.utf8)
            bytes.append(contentsOf: "\ndata: ".utf8)
            r.appendAPIJSON(to: &bytes)
            bytes.append(contentsOf: "\n\n".utf8)
        }
        return ByteBuffer(bytes: bytes)
    }
}

/// One page of the journal.
struct EventPageBody: Encodable {
    var events: [JournalRecord]
    var lastSeq: Int64
}

/// `since`, `limit`, `follow`, `buffer` and the filters of `GET /v1/events`, checked.
struct EventQuery {
    var since: Int64 = 0
    var limit = 1000
    var follow = false
    var buffer = 10_000
    var filter = PilotStore.JournalFilter()
    static let known: Set<String> = ["since", "limit", "follow", "buffer", "task", "workflow", "pilot", "kind"]

    init(_ req: Request) throws(ManagerError) {
        let q = req.uri.queryParameters
        for (k, _) in q where !Self.known.contains(String(k)) {
            throw ManagerError(.badRequest, "unknown parameter '\(k)' (known: \(Self.known.sorted().joined(separator: ", ")))", field: String(k))
        }
        if let s = q.get("since") ?? req.headers[.init("Last-Event-ID")!] {
            guard let v = Int64(s), v >= 0 else { throw ManagerError(.badRequest, "'\(s)' is not a sequence number (an integer ≥ 0)", field: "since") }
            since = v
        }
        if let s = q.get("limit") {
            guard let v = Int(s), (1...100_000).contains(v) else { throw ManagerError(.badRequest, "'\(s)' is not between 1 and 100000", field: "limit") }
            limit = v
        }
        if let s = q.get("buffer") {
            guard let v = Int(s), (1...1_000_000).contains(v) else { throw ManagerError(.badRequest, "'\(s)' is not between 1 and 1000000", field: "buffer") }
            buffer = v
        }
        if let s = q.get("follow") {
            guard let v = Bool(s) else { throw ManagerError(.badRequest, "'\(s)' is not true or false", field: "follow") }
            follow = v
        }
        if req.headers[.accept]?.contains("text/event-stream") == true { follow = true }
        if let s = q.get("task") {
            guard let v = Int64(s) else { throw ManagerError(.badRequest, "'\(s)' is not a task id", field: "task") }
            filter.task = v
        }
        if let s = q.get("workflow") {
            guard let v = Int64(s) else { throw ManagerError(.badRequest, "'\(s)' is not a workflow id", field: "workflow") }
            filter.workflow = v
        }
        if let s = q.get("pilot") { filter.pilot = s }
        if let s = q.get("kind") {
            var kinds = Set<JournalKind>()
            for part in s.split(separator: ",") {
                guard let k = JournalKind(rawValue: String(part)) else {
                    throw ManagerError(.badRequest, "unknown kind '\(part)' (one of \(JournalKind.allCases.map(\.rawValue).joined(separator: ", ")))", field: "kind")
                }
                kinds.insert(k)
            }
            filter.kinds = kinds
        }
    }
}
