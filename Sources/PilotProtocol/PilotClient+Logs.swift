import Foundation
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
        let r = try await send("GET", path, body: nil)
        let data = r.body
        let code = r.status
        guard code == 200 else {
            if let e = try? JSONDecoder().decode(ErrorEnvelope.self, from: data) { throw e.error }
            throw APIErrorBody(code: "http_\(code)", message: String(decoding: data.prefix(500), as: UTF8.self))
        }
        return LogPage(data: data, state: r.headers.first(name: "X-Pilot-Task-State").flatMap(TaskState.init(rawValue:)),
                       attempt: r.headers.first(name: "X-Pilot-Task-Attempt").flatMap { Int($0) })
    }
}
