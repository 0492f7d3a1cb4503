import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import PilotCore

/// A piece of a task's log with the task's state as the manager read it before the file.
public struct LogPage: Sendable {
    public var data: Data
    public var state: TaskState?
    public var attempt: Int?
}

extension PilotClient {
    /// `GET /v1/tasks/ID/logs?wait=S`: bytes from `offset`, held up to `wait` seconds on the manager
    /// while there are none yet and the task runs; empty while the task has no log yet.
    public func logPage(_ id: Int64, stream: String = "stdout", offset: Int, length: Int, wait: Double) async throws -> LogPage {
        let path = "/v1/tasks/\(id)/logs?stream=\(stream)&offset=\(offset)&length=\(length)&wait=\(wait)"
        var req = URLRequest(url: URL(string: path, relativeTo: baseURL)!)
        req.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        let (data, response) = try await session.data(for: req)
        let http = response as? HTTPURLResponse
        let code = http?.statusCode ?? 0
        guard code == 200 else {
            if code == 401 { throw APIErrorBody(code: "unauthorized", message: "the manager refused the token (401): check access.json or --token-file") }
            if let e = try? JSONDecoder().decode(ErrorEnvelope.self, from: data) { throw e.error }
            throw APIErrorBody(code: "http_\(code)", message: String(decoding: data.prefix(500), as: UTF8.self))
        }
        return LogPage(data: data, state: (http?.value(forHTTPHeaderField: "X-Pilot-Task-State")).flatMap(TaskState.init(rawValue:)),
                       attempt: (http?.value(forHTTPHeaderField: "X-Pilot-Task-Attempt")).flatMap { Int($0) })
    }
}
