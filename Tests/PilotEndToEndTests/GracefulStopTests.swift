import Foundation
import PilotCore
import PilotProtocol
import Testing

@Suite(.serialized) struct GracefulStopTests {
    @Test func sigtermToTheManagerLeavesAgentsRunningAndLosesNothing() async throws {
        let c = LiveCluster(tag: "mgrterm")
        defer { c.shutdown() }
        try await c.startManager(extra: ["--heartbeat-timeout", "60"])
        _ = try c.startAgent(["--topology", "synthetic:package:1 numa:2 core:1 pu:1"], name: "agent")
        try await c.waitForAgents(1)
        let effects = c.dir + "/effects.log"
        FileManager.default.createFile(atPath: effects, contents: nil)
        var spec = TaskSpec(command: ["/bin/sh", "-c", "echo $PILOT_TASK_ID >> \(effects); sleep 0.3"])
        spec.captureOutput = false
        _ = try await c.client.submit(SubmitRequest(array: ArraySubmission(template: spec, range: "1-20")))
        let deadline = Date().addingTimeInterval(30)
        while try await c.client.summary().count(.running) < 2 {
            guard Date() < deadline else { throw E2EError("tasks never started") }
            try await Task.sleep(for: .milliseconds(10))
        }
        let stop = try PilotBinary.run(["manager", "stop", "--server-dir", c.dir])
        #expect(stop.status == 0, "\(stop.err)")
        c.manager!.waitUntilExit()
        #expect(c.manager!.terminationStatus == 0)
        let alive = c.agents.allSatisfy { $0.isRunning }
        #expect(alive, "agents must outlive the manager")
        try await c.startManager(extra: ["--heartbeat-timeout", "60"])
        let w = try await c.waitAll()
        #expect(w.summary.count(.done) == 20)
        let lines = try String(contentsOfFile: effects, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 20)
        #expect(Set(lines).count == 20)
    }

    @Test func sigtermToAnAgentDrainsAndItsTasksAreRequeued() async throws {
        let c = LiveCluster(tag: "agentterm")
        defer { c.shutdown() }
        try await c.startManager()
        let a = try c.startAgent(["--topology", "synthetic:package:1 numa:1 core:1 pu:1", "--drain-grace", "1", "--uuid", "drainer"], name: "drainer")
        try await c.waitForAgents(1)
        let s = try await c.client.submit(SubmitRequest(tasks: [TaskSpec(command: ["sleep", "20"])]))
        let deadline = Date().addingTimeInterval(30)
        while try await c.client.summary().count(.running) < 1 {
            guard Date() < deadline else { throw E2EError("task never started") }
            try await Task.sleep(for: .milliseconds(10))
        }
        kill(a.processIdentifier, SIGTERM)
        a.waitUntilExit()
        #expect(a.terminationStatus == 0)
        let t = try await c.client.task(s.first)
        #expect(t.state == .ready, "the drained task goes back to the queue, got \(t.state)")
        #expect(t.crashes == 0)
        #expect(t.history?.contains { $0.reason?.contains("drain") == true || $0.reason?.contains("walltime") == true } == true)
        let agents = try await c.client.agents()
        #expect(agents.first { $0.uuid == "drainer" }?.state == "draining" || agents.first { $0.uuid == "drainer" }?.state == "disconnected")
    }

    @Test func timeLimitStopsTheTaskWithThatReason() async throws {
        let c = LiveCluster(tag: "timelimit")
        defer { c.shutdown() }
        try await c.startManager()
        _ = try c.startAgent(["--topology", "synthetic:package:1 numa:1 core:1 pu:1"], name: "agent")
        try await c.waitForAgents(1)
        let r = try PilotBinary.run(["submit", "--server-dir", c.dir, "--time-limit", "1s", "--", "sleep", "60"])
        #expect(r.status == 0, "\(r.err)")
        let w = try await c.client.wait(ids: [1], timeout: 30)
        #expect(w.finished)
        let t = try await c.client.task(1)
        #expect(t.state == .failed)
        #expect(t.reason?.contains("time limit of 1 s exceeded") == true, "\(t.reason ?? "")")
        #expect(t.signal == SIGTERM)
    }
}
