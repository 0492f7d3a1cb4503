import Foundation
import PilotCore
import PilotProtocol
import Testing

/// Agents end: on SIGTERM when idle, after `--manager-lost-timeout` without a manager, and with
/// `pilot manager stop --agents`. Processes are checked by id, never by name.
@Suite struct AgentLifecycleEndToEndTests {
    static func alive(_ pid: Int32) -> Bool { kill(pid, 0) == 0 || errno == EPERM }

    /// Polls until `pid` is gone (reaped if it is our child); returns the seconds it took.
    static func waitGone(_ p: Process, within limit: Double) async throws -> Double {
        let t0 = Date()
        while p.isRunning {
            guard Date().timeIntervalSince(t0) < limit else { throw E2EError("pid \(p.processIdentifier) still runs after \(limit) s") }
            try await Task.sleep(for: .milliseconds(10))
        }
        return Date().timeIntervalSince(t0)
    }

    static func waitFor(_ what: String, within limit: Double = 60, _ ok: () async throws -> Bool) async throws {
        let t0 = Date()
        while try await !ok() {
            guard Date().timeIntervalSince(t0) < limit else { throw E2EError("\(what) not seen after \(limit) s") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    static func readPid(_ path: String) -> Int32? {
        (try? String(contentsOfFile: path, encoding: .utf8)).flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    @Test func sigtermEndsAnIdleAgentWhoseManagerIsGone() async throws {
        let c = LiveCluster(tag: "agent-term")
        defer { c.shutdown() }
        try await c.startManager()
        let agent = try c.startAgent(["--topology", "synthetic:package:1 numa:1 core:2 pu:1"], name: "agent")
        try await c.waitForAgents(1)
        kill(c.manager!.processIdentifier, SIGKILL)
        c.manager!.waitUntilExit()
        // Let it reach its longest backoff between reconnect attempts, where it used to sit.
        try await Self.waitFor("reconnect attempts") { c.log("agent").components(separatedBy: "retrying in 5.00").count > 1 }
        kill(agent.processIdentifier, SIGTERM)
        let took = try await Self.waitGone(agent, within: 30)
        print("idle agent without a manager ended \(String(format: "%.3f", took)) s after SIGTERM")
        #expect(agent.terminationStatus == 0, "\(c.log("agent"))")
    }

    @Test func anAgentWithoutManagerStopsItsTaskAndTheNextManagerCollectsIt() async throws {
        let c = LiveCluster(tag: "agent-lost")
        defer { c.shutdown() }
        try await c.startManager()
        let agent = try c.startAgent(["--topology", "synthetic:package:1 numa:1 core:2 pu:1", "--manager-lost-timeout", "3s"], name: "agent")
        try await c.waitForAgents(1)
        let pidFile = c.dir + "/task.pid", marker = c.dir + "/ran-once"
        // The first run waits forever; the rerun after the agent gave up ends at once.
        let script = "if [ -f \(marker) ]; then echo second; exit 0; fi; touch \(marker); echo $$ > \(pidFile); exec sleep 300"
        let s = try await c.client.submit(SubmitRequest(tasks: [TaskSpec(command: ["/bin/sh", "-c", script])]))
        try await Self.waitFor("the task's process") { Self.readPid(pidFile) != nil }
        let taskPid = Self.readPid(pidFile)!
        kill(c.manager!.processIdentifier, SIGKILL)
        c.manager!.waitUntilExit()
        _ = try await Self.waitGone(agent, within: 60)
        #expect(agent.terminationStatus == 0, "\(c.log("agent"))")
        #expect(!Self.alive(taskPid), "the task (pid \(taskPid)) outlived its agent")
        let left = try FileManager.default.contentsOfDirectory(atPath: c.dir + "/logs").filter { $0.hasPrefix("unreported-") }
        #expect(left.count == 1, "\(left)")
        // The next manager and agent on this node: the outcome is reported, the task runs again and ends.
        try await c.startManager()
        _ = try c.startAgent(["--topology", "synthetic:package:1 numa:1 core:2 pu:1"], name: "agent2")
        let w = try await c.waitAll(timeout: 120)
        #expect(w.failed == 0)
        let t = try await c.client.task(s.first)
        #expect(t.state == .done, "\(t)")
        #expect(c.log("agent2").contains("left by a previous agent"), "\(c.log("agent2"))")
        let after = try FileManager.default.contentsOfDirectory(atPath: c.dir + "/logs").filter { $0.hasPrefix("unreported-") }
        #expect(after.isEmpty, "\(after)")
    }

    @Test func managerStopWithAgentsLeavesNoProcessBehind() async throws {
        let c = LiveCluster(tag: "stop-agents")
        defer { c.shutdown() }
        try await c.startManager()
        let a1 = try c.startAgent(["--topology", "synthetic:package:1 numa:1 core:2 pu:1"], name: "agent1")
        let a2 = try c.startAgent(["--topology", "synthetic:package:1 numa:1 core:2 pu:1"], name: "agent2")
        try await c.waitForAgents(2)
        let pidFile = c.dir + "/task.pid"
        _ = try await c.client.submit(SubmitRequest(tasks: [TaskSpec(command: ["/bin/sh", "-c", "echo $$ > \(pidFile); exec sleep 1"])]))
        try await Self.waitFor("the task's process") { Self.readPid(pidFile) != nil }
        let taskPid = Self.readPid(pidFile)!
        let manager = c.manager!
        let r = try PilotBinary.run(["manager", "stop", "--agents", "--deadline", "1m", "--server-dir", c.dir])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("2 agents draining"), "\(r.out)")
        for p in [a1, a2, manager] {
            _ = try await Self.waitGone(p, within: 60)
            #expect(p.terminationStatus == 0, "pid \(p.processIdentifier) ended with \(p.terminationStatus)")
        }
        #expect(!Self.alive(taskPid))
        // The task ended normally before the agents left: nothing was cut short.
        let store = c.dir
        _ = store
        let log1 = c.log("agent1") + c.log("agent2")
        #expect(log1.contains("drained"), "\(log1)")
    }
}
