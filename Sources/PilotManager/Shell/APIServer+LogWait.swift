import Foundation
import Hummingbird
import NIOCore
import PilotCore
import PilotProtocol
import PilotStore

extension APIServer {
    static let maxLogWait = 30.0

    /// `GET /v1/tasks/:id/logs?wait=S`: what `pilot logs -f` follows a task with. When nothing lies
    /// past `offset` yet and the task has not ended, the request is held up to S seconds (at most
    /// 30) until the file grows or the task changes state (a journal record for it commits). It then
    /// answers like the plain route, except that a log not created yet is an empty 200, and with
    /// the task's state and attempt in `X-Pilot-Task-State` and `X-Pilot-Task-Attempt`, read before
    /// the file: a terminal state with a short page means the client has everything.
    func waitingLogPage(id: Int64, stream: String, query: [String: String], wait: String) async throws -> Response {
        guard let seconds = Double(wait), seconds.isFinite, seconds >= 0 else {
            throw ManagerError(.badRequest, "'\(wait)' is not a number of seconds", field: "wait")
        }
        let offset: Int
        if let s = query["offset"] {
            guard let v = Int(s), v >= 0 else { throw ManagerError(.badRequest, "'\(s)' is not a byte offset", field: "offset") }
            offset = v
        } else { offset = 0 }
        // Subscribed before the task is read, so a change between the two still ends the wait.
        let sub = shell.journal.subscribe(filter: PilotStore.JournalFilter(task: id), limit: 64)
        defer { shell.journal.unsubscribe(sub.id) }
        var info = try await taskInfo(id)
        if !info.state.isTerminal, let path = Self.logPath(info, stream),
           await Self.waitForGrowth(path: path, beyond: offset, seconds: min(seconds, Self.maxLogWait), changes: sub.stream) {
            info = try await taskInfo(id)
        }
        var response: Response
        if let path = Self.logPath(info, stream), FileManager.default.fileExists(atPath: path) {
            response = try await LogStreamer.response(path: path, stream: stream, id: id, query: query)
        } else {
            response = Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer()))
        }
        response.headers[.init("X-Pilot-Task-State")!] = info.state.rawValue
        response.headers[.init("X-Pilot-Task-Attempt")!] = String(info.attempt)
        return response
    }

    private static func logPath(_ info: TaskInfo, _ stream: String) -> String? {
        stream == "stderr" ? info.stderrPath : info.stdoutPath
    }

    /// Waits until the file holds more than `offset` bytes (false), a record for the task commits
    /// or the manager stops (true: read the task again), or `seconds` pass (false). The file's
    /// size is a `stat` every 100 ms: log files live on whatever file system the agents share.
    private static func waitForGrowth(path: String, beyond offset: Int, seconds: Double,
                                      changes: AsyncStream<JournalHub.Delivery>) async -> Bool {
        await withTaskGroup(of: Bool.self) { g in
            g.addTask {
                for await d in changes {
                    if case .keepalive = d { continue }
                    return true
                }
                return true
            }
            g.addTask {
                let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
                while true {
                    var st = stat()
                    if stat(path, &st) == 0, Int(st.st_size) > offset { return false }
                    guard ContinuousClock.now < deadline, !Task.isCancelled else { return false }
                    try? await Task.sleep(for: .milliseconds(100))
                }
            }
            let first = await g.next() ?? false
            g.cancelAll()
            return first
        }
    }
}
