import Foundation
import PilotCore
import PilotProtocol
import Testing

/// One manager per server directory: of two started at once, on a fresh directory or on one whose
/// manager was killed with -9, exactly one runs, the other names it, and a task runs once.
@Suite(.serialized) struct ServerLockEndToEndTests {
    /// Starts two managers at once and waits until one has exited; returns (winner, loser log).
    static func race(_ c: LiveCluster) async throws -> (Process, String) {
        let a = try PilotBinary.start(["manager", "start", "--server-dir", c.dir, "--port", "0"], log: c.dir + "/m1.log")
        let b = try PilotBinary.start(["manager", "start", "--server-dir", c.dir, "--port", "0"], log: c.dir + "/m2.log")
        let deadline = Date().addingTimeInterval(60)
        while a.isRunning && b.isRunning && Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(a.isRunning != b.isRunning, "exactly one of two managers must keep running: \(c.log("m1")) \(c.log("m2"))")
        let (winner, loser) = a.isRunning ? (a, "m2") : (b, "m1")
        if !a.isRunning && !b.isRunning { throw E2EError("both managers exited: \(c.log("m1")) \(c.log("m2"))") }
        c.manager = winner
        c.client = try await c.waitForManager()
        // Still running once the winner is ready: the loser did not merely start late.
        #expect(!(winner === a ? b : a).isRunning)
        return (winner, c.log(loser))
    }

    /// A task that appends to a file runs exactly once.
    static func runsOnce(_ c: LiveCluster) async throws {
        _ = try c.startAgent(["--topology", "synthetic:package:1 numa:1 core:1 pu:1"], name: "agent")
        try await c.waitForAgents(1)
        let marks = c.dir + "/marks"
        _ = try await c.client.submit(SubmitRequest(tasks: [TaskSpec(command: ["/bin/sh", "-c", "echo ran >> \(marks)"])]))
        let w = try await c.waitAll(timeout: 60)
        #expect(w.failed == 0)
        let lines = (try String(contentsOfFile: marks, encoding: .utf8)).split(separator: "\n")
        #expect(lines.count == 1, "the task ran \(lines.count) times")
    }

    @Test func twoManagersOnAFreshDirectory() async throws {
        let c = LiveCluster(tag: "lock-fresh")
        defer { c.shutdown() }
        let (winner, loserLog) = try await Self.race(c)
        #expect(loserLog.contains("pid \(winner.processIdentifier)"), "the refusal must name the holder: \(loserLog)")
        try await Self.runsOnce(c)
    }

    @Test func twoManagersOnADirectoryWhoseManagerWasKilled() async throws {
        let c = LiveCluster(tag: "lock-crashed")
        defer { c.shutdown() }
        try await c.startManager()
        let first = c.manager!
        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        let (winner, loserLog) = try await Self.race(c)
        #expect(loserLog.contains("pid \(winner.processIdentifier)"), "the refusal must name the holder: \(loserLog)")
        try await Self.runsOnce(c)
    }
}
