import Foundation
import PilotCore
import PilotProtocol
import Testing

/// No process of a task outlives it: a grandchild in its process group and a `setsid` daemon
/// outside it, after the task finishes, is cancelled, and after its agent is killed with -9 (then
/// the next agent on the node ends them before it takes work). Checked by PID, under both
/// mechanisms: a cgroup per task, and the subreaper-and-key fallback.
@Suite(.serialized) struct ContainmentEndToEndTests {
    static let topology = "synthetic:package:1 numa:1 core:2 pu:1"

    /// Starts a grandchild and a daemon, writes their pids, then runs `rest`.
    static func script(_ dir: String, then rest: String) -> [String] {
        ["/bin/sh", "-c", """
         sleep 300 & echo $! > \(dir)/gc.$PILOT_TASK_ID
         setsid sleep 300 & echo $! > \(dir)/daemon.$PILOT_TASK_ID
         \(rest)
         """]
    }

    /// Polls until both pid files of task `id` are written.
    static func pids(_ dir: String, _ id: Int64) async throws -> [Int32] {
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            let found = ["gc", "daemon"].compactMap { name in
                (try? String(contentsOfFile: "\(dir)/\(name).\(id)", encoding: .utf8))
                    .flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            }
            if found.count == 2 { return found }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw E2EError("task \(id) never wrote its pids")
    }

    /// Running, as opposed to gone or a zombie waiting for whoever adopted it.
    static func alive(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        let state = stat[stat.index(close, offsetBy: 2)]
        return state != "Z" && state != "X"
    }

    /// Polls until every pid has ended, or the deadline; returns those still running.
    static func survivors(_ pids: [Int32], within seconds: Double = 10) async throws -> [Int32] {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if !pids.contains(where: alive) { return [] }
            try await Task.sleep(for: .milliseconds(20))
        }
        return pids.filter(alive)
    }

    static func finished(_ c: LiveCluster, _ id: Int64) async throws -> TaskInfo {
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            let t = try await c.client.task(id)
            if t.state.isTerminal { return t }
            _ = try await c.client.wait(ids: [id], timeout: 2)
        }
        throw E2EError("task \(id) did not end")
    }

    @Test(arguments: ["cgroup", "subreaper"])
    func descendantsEndWithTheTaskOnFinishAndCancel(mechanism: String) async throws {
        let c = LiveCluster(tag: "contain-\(mechanism)")
        defer { c.shutdown() }
        try await c.startManager()
        _ = try c.startAgent(["--topology", Self.topology, "--containment", mechanism], name: "agent")
        try await c.waitForAgents(1)
        #expect(c.log("agent").contains("task containment: \(mechanism)"), "\(c.log("agent"))")

        // Finish: the task's shell exits at once, leaving both behind.
        let done = try await c.client.submit(SubmitRequest(tasks: [TaskSpec(command: Self.script(c.dir, then: "exit 0"))]))
        let donePIDs = try await Self.pids(c.dir, done.first)
        #expect(try await Self.finished(c, done.first).state == .done)
        #expect(try await Self.survivors(donePIDs).isEmpty, "left running after the task finished")

        // Cancel: the task waits; the cancel ends it and both of its descendants.
        let canceled = try await c.client.submit(SubmitRequest(tasks: [TaskSpec(command: Self.script(c.dir, then: "sleep 300"))]))
        let canceledPIDs = try await Self.pids(c.dir, canceled.first)
        #expect(canceledPIDs.allSatisfy(Self.alive))
        _ = try await c.client.cancel([canceled.first])
        #expect(try await Self.finished(c, canceled.first).state == .canceled)
        #expect(try await Self.survivors(canceledPIDs).isEmpty, "left running after the task was cancelled")

        // Time limit: TERM to the group at the limit; the daemon, outside it, still ends.
        var limited = TaskSpec(command: Self.script(c.dir, then: "sleep 300"))
        limited.timeLimit = 1
        let timed = try await c.client.submit(SubmitRequest(tasks: [limited]))
        let timedPIDs = try await Self.pids(c.dir, timed.first)
        #expect(try await Self.finished(c, timed.first).state == .failed)
        #expect(try await Self.survivors(timedPIDs).isEmpty, "left running after the time limit")
    }

    /// Under the subreaper, an orphan that ends by itself before its task becomes the agent's zombie;
    /// the task's end reaps it, so a long run of such tasks does not pile zombies up in the agent.
    @Test func anOrphanThatEndedByItselfIsReapedAtItsTasksEnd() async throws {
        let c = LiveCluster(tag: "contain-orphan")
        defer { c.shutdown() }
        try await c.startManager()
        let agent = try c.startAgent(["--topology", Self.topology, "--containment", "subreaper"], name: "agent")
        try await c.waitForAgents(1)
        let file = c.dir + "/orphan"
        // The subshell exits at once, so the sleep is adopted by the agent; the task waits (at most
        // 10 s) until that sleep has ended, i.e. is a zombie of the agent or already reaped.
        let script = """
            ( sleep 0.05 & echo $! > \(file) )
            p=$(cat \(file))
            for i in $(seq 1000); do
              s=$(sed 's/.*) //' /proc/$p/stat 2>/dev/null | cut -d' ' -f1)
              if [ -z "$s" ] || [ "$s" = Z ]; then break; fi
              sleep 0.01
            done
            """
        let r = try await c.client.submit(SubmitRequest(tasks: [TaskSpec(command: ["/bin/sh", "-c", script])]))
        #expect(try await Self.finished(c, r.first).state == .done)
        let text = try String(contentsOfFile: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let orphan = try #require(Int32(text))
        let stat = try? String(contentsOfFile: "/proc/\(orphan)/stat", encoding: .utf8)
        #expect(stat == nil, "the orphan \(orphan) is still there, a zombie of agent \(agent.processIdentifier): \(stat ?? "")")
    }

    @Test(arguments: ["cgroup", "subreaper"])
    func theNextAgentEndsWhatAKilledAgentsTasksLeft(mechanism: String) async throws {
        let c = LiveCluster(tag: "contain9-\(mechanism)")
        defer { c.shutdown() }
        try await c.startManager()
        let first = try c.startAgent(["--topology", Self.topology, "--containment", mechanism], name: "agent1")
        try await c.waitForAgents(1)
        let r = try await c.client.submit(SubmitRequest(tasks: [TaskSpec(command: Self.script(c.dir, then: "sleep 300"))]))
        let pids = try await Self.pids(c.dir, r.first)

        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        // Nobody is left to end them: they outlive the agent until another one starts on this node.
        #expect(pids.allSatisfy(Self.alive), "the task's descendants should still be there to be found")

        _ = try c.startAgent(["--topology", Self.topology, "--containment", mechanism], name: "agent2")
        // Readiness: the new agent registered (it ends leftovers before it connects).
        let deadline = Date().addingTimeInterval(60)
        while !c.log("agent2").contains("registered as agent"), Date() < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(try await Self.survivors(pids).isEmpty, "a dead agent's task processes were not ended: \(c.log("agent2"))")
        #expect(c.log("agent2").contains("leftovers of a dead agent's tasks"), "\(c.log("agent2"))")
    }
}
