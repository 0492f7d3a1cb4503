import Foundation
import PilotCore
import PilotProtocol

/// `pilot logs -f`: prints a task's output as it grows and returns once the task has ended and
/// everything it wrote is printed.
///
/// Each request asks for the bytes past what was printed and lets the manager hold it (`wait`)
/// until there are some or the task changes state, so an idle task costs one request per `wait`
/// seconds and new output shows within the manager's 100 ms look at the file. The manager reads
/// the task's state before the file: a terminal state with a short page means nothing is left.
/// A task that does not exist is a 404 at once; a log not created yet (the task waits for a slot)
/// is an empty page.
struct LogFollower {
    let client: PilotClient
    let id: Int64
    let stream: String
    var wait = 10.0
    static let page = 8 << 20

    /// Returns the task's final state.
    func run(from start: Int) async throws -> TaskState? {
        var at = start
        var attempt: Int?
        while true {
            let p = try await client.logPage(id, stream: stream, offset: at, length: Self.page, wait: wait)
            if let a = p.attempt, let before = attempt, a != before {
                // Each attempt writes a file of its own: follow the new one from its start (this page
                // was read from it at the old offset). The first binding (0 → 1) is no retry.
                if before > 0 { FileHandle.standardError.write(Data("[pilot: task \(id) attempt \(a) starts]\n".utf8)) }
                attempt = a
                at = 0
                continue
            }
            attempt = p.attempt
            if !p.data.isEmpty { FileHandle.standardOutput.write(p.data) }
            at += p.data.count
            if p.data.count == Self.page { continue }
            if p.state?.isTerminal == true { return p.state }
        }
    }
}
