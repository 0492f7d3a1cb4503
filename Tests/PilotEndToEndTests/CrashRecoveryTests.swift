import Foundation
import PilotCore
import PilotProtocol
import Testing

/// Issue 4's crash test: a manager under load is SIGKILLed at random moments and restarted on the
/// same server directory. Every task must run exactly once (its side effect appears once) and end done.
/// PILOT_CRASH_TASKS / PILOT_CRASH_KILLS scale it up for a run by hand (e.g. 2000 and 20).
@Suite(.serialized) struct CrashRecoveryTests {
    @Test func managerKilledAtRandomMomentsLosesNothingAndRunsNothingTwice() async throws {
        let env = ProcessInfo.processInfo.environment
        let n = Int(env["PILOT_CRASH_TASKS"] ?? "") ?? 400
        let kills = Int(env["PILOT_CRASH_KILLS"] ?? "") ?? 20
        let c = LiveCluster(tag: "crash")
        defer { c.shutdown() }
        let managerArgs = ["--heartbeat-timeout", "120"]
        try await c.startManager(extra: managerArgs)
        let topo = "synthetic:package:1 numa:2 core:1 pu:1"
        _ = try c.startAgent(["--topology", topo], name: "agent1")
        _ = try c.startAgent(["--topology", topo], name: "agent2")
        try await c.waitForAgents(2)

        let effects = c.dir + "/effects.log"
        FileManager.default.createFile(atPath: effects, contents: nil)
        // The side effect happens when the task starts, so a restarted task would show up twice.
        var spec = TaskSpec(name: "effect", command: ["/bin/sh", "-c", "echo $PILOT_TASK_ID >> \(effects); sleep 0.0$((PILOT_TASK_ID % 4))"])
        spec.captureOutput = false
        _ = try await c.client.submit(SubmitRequest(array: ArraySubmission(template: spec, range: "1-\(n)")))

        var rng = SystemRandomNumberGenerator()
        var killed = 0
        var runningAtKill = 0
        while killed < kills {
            // A random moment under load: between 20 and 400 ms into this incarnation.
            try await Task.sleep(for: .milliseconds(Int.random(in: 20...400, using: &rng)))
            let s = try? await c.client.summary()
            if let s, s.terminal == s.total, killed > 0 { break }
            runningAtKill += s?.count(.running) ?? 0
            kill(c.manager!.processIdentifier, SIGKILL)
            c.manager!.waitUntilExit()
            killed += 1
            try await c.startManager(extra: managerArgs)
        }
        let w = try await c.waitAll(timeout: 600)
        #expect(w.summary.count(.done) == n, "\(w.summary.counts)")
        #expect(w.failed == 0)

        let lines = try String(contentsOfFile: effects, encoding: .utf8).split(separator: "\n")
        var seen: [Int: Int] = [:]
        for l in lines { seen[Int(l) ?? -1, default: 0] += 1 }
        let twice = seen.filter { $0.value > 1 }.keys.sorted()
        #expect(twice.isEmpty, "tasks run more than once: \(twice.prefix(20))")
        #expect(seen.count == n, "\(seen.count) distinct side effects for \(n) tasks")
        #expect(killed >= min(kills, 10))

        // The journal, read back whole: numbered without gaps across every restart, with exactly one
        // `task_finished` per task attempt that finished.
        var records: [JournalRecord] = []
        var cursor: Int64 = 0
        while true {
            let page = try await c.client.events(since: cursor, limit: 10_000)
            records += page.events
            guard let last = page.events.last else { break }
            cursor = last.seq
        }
        #expect(records.map(\.seq) == Array(1...Int64(records.count)), "journal numbers have gaps or repeats")
        var finished: [TaskKey: Int] = [:]
        for r in records where r.kind == .taskFinished { finished[TaskKey(task: r.task ?? -1, attempt: r.attempt ?? -1), default: 0] += 1 }
        #expect(finished.values.allSatisfy { $0 == 1 }, "attempts journaled as finished more than once: \(finished.filter { $0.value > 1 }.keys.prefix(10))")
        #expect(Set(finished.keys.map(\.task)).count == n, "\(Set(finished.keys.map(\.task)).count) tasks journaled as finished, of \(n)")
        print("crash test: \(n) tasks, \(killed) kills, \(runningAtKill) tasks were running at the kills, \(lines.count) side effects")
    }

    @Test func lostAgentsTasksFinishOnAnotherAgent() async throws {
        let c = LiveCluster(tag: "agentloss")
        defer { c.shutdown() }
        try await c.startManager(extra: ["--heartbeat-timeout", "2", "--heartbeat-interval", "0.5"])
        let topo = "synthetic:package:1 numa:1 core:2 pu:1"
        let victim = try c.startAgent(["--topology", topo, "--uuid", "victim"], name: "victim")
        try await c.waitForAgents(1)
        var spec = TaskSpec(name: "slow", command: ["sleep", "1"])
        spec.captureOutput = false
        let sub = try await c.client.submit(SubmitRequest(array: ArraySubmission(template: spec, range: "1-6")))
        // Readiness: the victim is running two of them.
        let deadline = Date().addingTimeInterval(30)
        while try await c.client.summary().count(.running) < 2 {
            guard Date() < deadline else { throw E2EError("tasks never started") }
            try await Task.sleep(for: .milliseconds(10))
        }
        _ = try c.startAgent(["--topology", topo, "--uuid", "survivor"], name: "survivor")
        kill(victim.processIdentifier, SIGKILL)
        victim.waitUntilExit()
        let w = try await c.waitAll(timeout: 120)
        #expect(w.summary.count(.done) == 6)
        let infos = try await withThrowingTaskGroup(of: TaskInfo.self) { g in
            for id in sub.ids! { g.addTask { try await c.client.task(id) } }
            return try await g.reduce(into: []) { $0.append($1) }
        }
        let agents = try await c.client.agents()
        let survivorID = try #require(agents.first { $0.uuid == "survivor" }?.id)
        #expect(agents.first { $0.uuid == "victim" }?.state == "lost")
        // The tasks bound to the victim (two running, up to two queued there by prefetch) crashed once
        // and finished on the survivor.
        let moved = infos.filter { $0.crashes == 1 }
        #expect((2...4).contains(moved.count))
        #expect(moved.allSatisfy { $0.agent == survivorID && $0.state == .done })
    }

    @Test func taskThatKillsItsAgentIsFailedAtTheCrashLimit() async throws {
        let c = LiveCluster(tag: "crashlimit")
        defer { c.shutdown() }
        try await c.startManager(extra: ["--heartbeat-timeout", "1.5", "--heartbeat-interval", "0.5"])
        let topo = "synthetic:package:1 numa:1 core:1 pu:1"
        for i in 1...3 { _ = try c.startAgent(["--topology", topo, "--uuid", "a\(i)"], name: "agent\(i)") }
        try await c.waitForAgents(3)
        var spec = TaskSpec(name: "node-killer", command: ["/bin/sh", "-c", "kill -9 $PPID; sleep 5"])
        spec.crashLimit = 2
        let sub = try await c.client.submit(SubmitRequest(tasks: [spec]))
        let w = try await c.client.wait(ids: [sub.first], timeout: 60)
        #expect(w.finished)
        let t = try await c.client.task(sub.first)
        #expect(t.state == .failed)
        #expect(t.crashes == 2)
        #expect(t.reason?.contains("crash limit reached (2 of 2)") == true, "\(t.reason ?? "")")
        let shown = try PilotBinary.run(["status", "--server-dir", c.dir, String(sub.first)])
        #expect(shown.out.contains("crash limit reached"))
    }

    @Test func tokenFileReadableByOthersIsRefused() async throws {
        let c = LiveCluster(tag: "perm")
        defer { c.shutdown() }
        try await c.startManager()
        let a = try AccessFile.read(from: c.dir)
        let tokenFile = c.dir + "/token"
        try a.token.write(toFile: tokenFile, atomically: true, encoding: .utf8)
        chmod(tokenFile, 0o644)
        let pin = try #require(a.tlsFingerprint)
        let r = try PilotBinary.run(["agent", "--manager", "127.0.0.1:\(a.agentPort)", "--token-file", tokenFile, "--tls-fingerprint", pin])
        #expect(r.status != 0)
        #expect(r.err.contains("must be readable only by its owner"), "\(r.err)")
        // access.json itself: clients refuse a copy that others can read.
        chmod(AccessFile.path(in: c.dir), 0o644)
        let s = try PilotBinary.run(["status", "--server-dir", c.dir])
        #expect(s.status != 0)
        #expect(s.err.contains("chmod 600"), "\(s.err)")
        chmod(AccessFile.path(in: c.dir), 0o600)
        // A wrong token on the agent channel is refused and the agent stops with a clear message.
        chmod(tokenFile, 0o600)
        try "wrong".write(toFile: tokenFile, atomically: true, encoding: .utf8)
        chmod(tokenFile, 0o600)
        let bad = try PilotBinary.run(["agent", "--manager", "127.0.0.1:\(a.agentPort)", "--token-file", tokenFile, "--tls-fingerprint", pin,
                                       "--topology", "synthetic:package:1 numa:1 core:1 pu:1"])
        #expect(bad.status != 0)
        #expect(bad.err.contains("refused"), "\(bad.err)")
        #expect(!c.log("manager").contains(a.token))
    }
}
