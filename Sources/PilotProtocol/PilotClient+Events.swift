import Foundation
import PilotCore

/// A page of the manager's event journal.
public struct EventPage: Sendable, Codable {
    public var events: [JournalRecord]
    public var lastSeq: Int64
    enum CodingKeys: String, CodingKey { case events, lastSeq }
}

extension PilotClient {
    /// Journal records after `since`, oldest first; `kinds`, `task`, `workflow`, `pilot` filter.
    public func events(since: Int64, limit: Int = 1000, task: Int64? = nil, workflow: Int64? = nil, pilot: String? = nil,
                       kinds: [String] = []) async throws -> EventPage {
        var q = "since=\(since)&limit=\(limit)"
        if let task { q += "&task=\(task)" }
        if let workflow { q += "&workflow=\(workflow)" }
        if let pilot { q += "&pilot=\(pilot.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? pilot)" }
        if !kinds.isEmpty { q += "&kind=" + kinds.joined(separator: ",") }
        return try await call("GET", "/v1/events?\(q)")
    }
}
