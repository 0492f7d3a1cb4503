import Foundation
import PilotCore
import PilotProtocol
import Testing

/// `pilot logs -f` as a user runs it: it prints every line a running task writes, stops by itself
/// when the task ends, and names a task that does not exist on stderr with a non-zero exit.
@Suite(.serialized) struct LogFollowEndToEndTests {
    @Test func followPrintsEveryLineAndEndsWithTheTask() async throws {
        let c = LiveCluster(tag: "logsf")
        defer { c.shutdown() }
        try await c.startManager()
        _ = try c.startAgent(["--topology", "synthetic:package:1 numa:1 core:2 pu:1"], name: "agent")
        try await c.waitForAgents(1)
        // About 2 s of output on both streams, a line every 0.1 s.
        let script = "for i in $(seq 1 20); do echo out $i; echo err $i >&2; sleep 0.1; done"
        let r = try await c.client.submit(SubmitRequest(tasks: [TaskSpec(command: ["/bin/sh", "-c", script]),
                                                                TaskSpec(command: ["/bin/sh", "-c", script])]))
        let expectedOut = (1...20).map { "out \($0)\n" }.joined()
        let expectedErr = (1...20).map { "err \($0)\n" }.joined()
        async let outRun = Self.runOffPool(["logs", "-f", String(r.first), "--server-dir", c.dir])
        async let errRun = Self.runOffPool(["logs", "--follow", "--stderr", String(r.first + 1), "--server-dir", c.dir])
        let (out, err) = try await (outRun, errRun)
        #expect(out.status == 0, "\(out.err)")
        #expect(out.out == expectedOut)
        #expect(err.status == 0, "\(err.err)")
        #expect(err.out == expectedErr)
        // It returned because the task ended, not because it gave up.
        #expect(try await c.client.task(r.first).state == .done)
        #expect(try await c.client.task(r.first + 1).state == .done)
        // A finished task's log is printed whole and the command returns at once.
        let again = try PilotBinary.run(["logs", "-f", String(r.first), "--server-dir", c.dir])
        #expect(again.status == 0 && again.out == expectedOut)
    }

    @Test func aWaitingRequestReturnsWithNewOutputOrTheEnd() async throws {
        let c = LiveCluster(tag: "logswait")
        defer { c.shutdown() }
        try await c.startManager()
        _ = try c.startAgent(["--topology", "synthetic:package:1 numa:1 core:1 pu:1"], name: "agent")
        try await c.waitForAgents(1)
        let r = try await c.client.submit(SubmitRequest(tasks: [TaskSpec(command: ["/bin/sh", "-c", "sleep 1; echo late"])]))
        // Each answer comes when something changed: the task's state or its output.
        var page = try await c.client.logPage(r.first, offset: 0, length: 1 << 20, wait: 20)
        var states: [TaskState] = []
        while page.data.isEmpty, let s = page.state, !s.isTerminal {
            states.append(s)
            page = try await c.client.logPage(r.first, offset: 0, length: 1 << 20, wait: 20)
        }
        #expect(String(decoding: page.data, as: UTF8.self) == "late\n", "states seen: \(states)")
        #expect(states.count <= 3, "\(states): a wait returned without a change")
        #expect(page.attempt == 1)
        // Past the end of a finished task's output: an empty page at once, with its final state.
        let end = try await c.client.logPage(r.first, offset: 5, length: 1 << 20, wait: 20)
        #expect(end.data.isEmpty && end.state == .done)
    }

    /// Runs the binary on a dispatch thread: two followers blocking in `waitUntilExit` must not hold
    /// the cooperative pool's threads (two on this machine).
    static func runOffPool(_ args: [String]) async throws -> (status: Int32, out: String, err: String) {
        try await withCheckedThrowingContinuation { c in
            DispatchQueue.global().async { c.resume(with: Result { try PilotBinary.run(args) }) }
        }
    }

    @Test func followOfAMissingTaskFailsClearly() async throws {
        let c = LiveCluster(tag: "logsf404")
        defer { c.shutdown() }
        try await c.startManager()
        let r = try PilotBinary.run(["logs", "-f", "4242", "--server-dir", c.dir])
        #expect(r.status != 0)
        #expect(r.out.isEmpty)
        #expect(r.err.contains("no task 4242"), "\(r.err)")
        let bad = try PilotBinary.run(["logs", "-f", "--tail", "10", "1", "--server-dir", c.dir])
        #expect(bad.status != 0 && bad.err.contains("--follow"), "\(bad.err)")
        // The API answers a 404 with the reason, for any client, waiting or not; a bad wait is a 400.
        let client = PilotClient(access: try AccessFile.read(from: c.dir))
        for q in ["", "?wait=5"] {
            let (data, code) = try await client.raw("GET", "/v1/tasks/4242/logs\(q)", body: nil)
            #expect(code == 404 && String(decoding: data, as: UTF8.self).contains("no task 4242"))
        }
        let t = try await client.submit(SubmitRequest(tasks: [TaskSpec(command: ["/bin/true"])]))
        let (data, code) = try await client.raw("GET", "/v1/tasks/\(t.first)/logs?wait=soon", body: nil)
        #expect(code == 400 && String(decoding: data, as: UTF8.self).contains("\"field\":\"wait\""))
    }
}
