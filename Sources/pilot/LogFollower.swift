import Foundation
import PilotCore
import PilotProtocol

/// `pilot logs -f`: prints a task's output as it grows and returns once the task has ended and
/// everything it wrote is printed.
///
/// It pages the log endpoint by byte offset, so each poll moves only what is new. The task is
/// checked first, so a task that does not exist is an error at once, while a log that does not
/// exist yet (the task waits for a slot) is simply nothing to print so far. Once the task is
/// seen terminal, the file is read to its end once more: the task's processes have exited by
/// then, so nothing is left behind.
struct LogFollower {
    let client: PilotClient
    let id: Int64
    let stream: String
    /// How long to wait before asking again when nothing new arrived.
    var poll: Duration = .milliseconds(200)
    static let page = 8 << 20

    /// Returns the task's final state.
    func run(from start: Int) async throws -> TaskState {
        var attempt = try await client.task(id).attempt
        var at = start
        while true {
            at += try await drain(from: at)
            let t = try await client.task(id)
            if t.attempt != attempt {
                // Each attempt writes a file of its own: follow the new one from its start. The first
                // binding (attempt 0 → 1) is no retry and needs no note.
                if attempt > 0 { FileHandle.standardError.write(Data("[pilot: task \(id) attempt \(t.attempt) starts]\n".utf8)) }
                attempt = t.attempt
                at = 0
                continue
            }
            if t.state.isTerminal {
                _ = try await drain(from: at)
                return t.state
            }
            try await Task.sleep(for: poll)
        }
    }

    /// Prints what the log holds from `offset` on; returns the bytes printed.
    private func drain(from offset: Int) async throws -> Int {
        var at = offset
        while true {
            let data: Data
            do { data = try await client.logBytes(id, stream: stream, offset: at, length: Self.page) } catch let e as APIErrorBody
                where e.code == "not_found" {
                // The task was checked to exist: its file is not there until it starts.
                return at - offset
            }
            if !data.isEmpty { FileHandle.standardOutput.write(data) }
            at += data.count
            if data.count < Self.page { return at - offset }
        }
    }
}
