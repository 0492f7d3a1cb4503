import Foundation
import PilotCore
import PilotProtocol
import Testing

@Suite(.serialized) struct QuantumEndToEndTests {
    static let ghz = PilotBinary.root.appendingPathComponent("Examples/circuits/ghz4.qasm").path

    @Test func quantumTaskResultIsStoredAndShown() async throws {
        let c = LiveCluster(tag: "qtask")
        defer { c.shutdown() }
        try await c.startManager()
        _ = try c.startAgent(["--topology", "synthetic:package:1 numa:1 core:2 pu:1"], name: "agent")
        try await c.waitForAgents(1)
        let r = try PilotBinary.run(["submit", "--server-dir", c.dir, "--circuit", Self.ghz, "--shots", "4000",
                                     "--observable", "ZZII", "--observable", "XXXX", "--seed", "5", "--qpu", "ideal-sim:1"])
        #expect(r.status == 0, "\(r.err)")
        _ = try await c.waitAll()
        let t = try await c.client.task(1)
        #expect(t.state == .done)
        let result = try #require(t.result.flatMap { try JSONSerialization.jsonObject(with: Data($0.text.utf8)) as? [String: Any] })
        let counts = try #require(result["counts"] as? [String: Int])
        #expect(Set(counts.keys) == ["0000", "1111"])
        #expect(counts.values.reduce(0, +) == 4000)
        let ex = try #require(result["expectations"] as? [[String: Any]])
        #expect(ex.count == 2)
        #expect(result["device"] as? String == "ideal-sim")
        let shown = try PilotBinary.run(["status", "--server-dir", c.dir, "1", "--json"])
        #expect(shown.out.contains("counts"))
        // A malformed circuit is refused with its line.
        let bad = c.dir + "/bad.qasm"
        try "OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[2];\nfoo q[0];\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let b = try PilotBinary.run(["submit", "--server-dir", c.dir, "--circuit", bad, "--qpu", "ideal-sim:1"])
        #expect(b.status != 0)
        #expect(b.err.contains("bad.qasm:4"), "\(b.err)")
    }

    @Test func deviceConcurrencyLimitHoldsAcrossAgents() async throws {
        let c = LiveCluster(tag: "qlease")
        defer { c.shutdown() }
        try await c.startManager()
        // One core each, so the two concurrent jobs must run on both agents.
        for i in 1...2 { _ = try c.startAgent(["--topology", "synthetic:package:1 numa:1 core:1 pu:1", "--uuid", "q\(i)"], name: "agent\(i)") }
        try await c.waitForAgents(2)
        let text = try String(contentsOfFile: Self.ghz, encoding: .utf8)
        let job = "{\"circuit\":\(try String(decoding: JSONEncoder().encode(text), as: UTF8.self)),\"shots\":200,\"observables\":[\"ZZZZ\"],\"device\":\"small-7\"}"
        var spec = TaskSpec(name: "q", kind: .quantum, request: ResourceRequest(cores: 1, qpu: QPUSelector(device: "small-7")))
        spec.payload = job
        _ = try await c.client.submit(SubmitRequest(array: ArraySubmission(template: spec, range: "1-200")))
        let w = try await c.waitAll()
        #expect(w.summary.count(.done) == 200)
        var tasks: [TaskInfo] = []
        for id in Int64(1)...200 { tasks.append(try await c.client.task(id)) }
        #expect(tasks.allSatisfy { $0.result?.text.contains("counts") == true })
        #expect(Set(tasks.compactMap(\.agent)).count == 2)
        // From the recorded lease intervals: never more than 2 at once.
        var events: [(Double, Int)] = []
        for t in tasks {
            #expect(t.binding?.qpu?.device == "small-7")
            events.append((t.startedAt!, 1))
            events.append((t.endedAt!, -1))
        }
        events.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        var now = 0, peak = 0
        for e in events { now += e.1; peak = max(peak, now) }
        #expect(peak <= 2)
        #expect(peak == 2)
    }

    @Test func agentKilledWhileHoldingALeaseReleasesIt() async throws {
        let c = LiveCluster(tag: "qkill")
        defer { c.shutdown() }
        try await c.startManager(extra: ["--heartbeat-timeout", "2", "--heartbeat-interval", "0.5"])
        let victim = try c.startAgent(["--topology", "synthetic:package:1 numa:1 core:1 pu:1", "--uuid", "victim"], name: "victim")
        try await c.waitForAgents(1)
        let text = try String(contentsOfFile: Self.ghz, encoding: .utf8)
        // trapped-ion-11 takes one job at a time and is slow per shot: the lease is held for a while.
        let job = "{\"circuit\":\(try String(decoding: JSONEncoder().encode(text), as: UTF8.self)),\"shots\":2000,\"device\":\"trapped-ion-11\"}"
        var spec = TaskSpec(name: "ion", kind: .quantum, request: ResourceRequest(cores: 1, qpu: QPUSelector(device: "trapped-ion-11")))
        spec.payload = job
        _ = try await c.client.submit(SubmitRequest(tasks: [spec, spec]))
        let deadline = Date().addingTimeInterval(30)
        while try await c.client.summary().count(.running) < 1 {
            guard Date() < deadline else { throw E2EError("never started") }
            try await Task.sleep(for: .milliseconds(10))
        }
        _ = try c.startAgent(["--topology", "synthetic:package:1 numa:1 core:1 pu:1", "--uuid", "survivor"], name: "survivor")
        kill(victim.processIdentifier, SIGKILL)
        victim.waitUntilExit()
        // Both jobs need the single slot: they can only finish if the dead agent's lease was released.
        let w = try await c.waitAll(timeout: 120)
        #expect(w.summary.count(.done) == 2)
    }
}
