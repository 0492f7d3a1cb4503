import Foundation
import PilotCore
import PilotProtocol
import Testing

/// A manager busy with heavy work (a 26-qubit cut plan, a 200,000-task sweep, a 10,000-stage
/// workflow) keeps hearing its agents: with a 2-second heartbeat timeout none is declared lost, a
/// running task is charged no crash, and `GET /v1/summary` keeps answering. Latencies are printed
/// for the record; the benchmark (`Benchmarks/busy-manager.sh`) is where they are measured.
@Suite(.serialized) struct BusyManagerEndToEndTests {
    @Test func heavyWorkCostsNoAgentItsRegistration() async throws {
        let c = LiveCluster(tag: "busy")
        defer { c.shutdown() }
        try await c.startManager(extra: ["--heartbeat-interval", "0.5", "--heartbeat-timeout", "2"])
        for i in 1...2 { _ = try c.startAgent(["--topology", "synthetic:package:1 numa:1 core:2 pu:1"], name: "agent\(i)") }
        try await c.waitForAgents(2)
        let client = c.client!
        let sleeper = try await client.submit(SubmitRequest(tasks: [TaskSpec(name: "sleeper", command: ["sleep", "600"])])).first
        while try await client.task(sleeper).state != .running { try await Task.sleep(for: .milliseconds(20)) }

        let cut = try await client.submitWorkflow(WorkflowSubmitRequest(yaml: """
            version: 1
            stages:
              cut:
                motif: cutting
                circuit: {qubits: 26, depth: 3, seed: 7}
                max_fragment_qubits: 13
                observables: [ZZZZZZZZZZZZZZZZZZZZZZZZZZ]
                shots: 100
            """))
        _ = try await client.submitWorkflow(WorkflowSubmitRequest(yaml: """
            version: 1
            stages:
              sweep: {motif: ensemble, command: ["true"], count: 200000}
            """))
        var wide = "version: 1\nstages:\n"
        for i in 0..<10_000 { wide += "  s\(i): {motif: ensemble, command: [\"true\"], count: 1\(i > 0 ? ", needs: [s\(i - 1)]" : "")}\n" }
        _ = try await client.submitWorkflow(WorkflowSubmitRequest(yaml: wide))

        // Probe until the cut plan is made (its sub-experiments exist), or 240 s.
        var latencies: [Double] = []
        var fewerAgents: [Int] = []
        let deadline = Date().addingTimeInterval(240)
        var planned = false
        while Date() < deadline {
            let t0 = Date()
            let s = try await client.summary()
            latencies.append(Date().timeIntervalSince(t0))
            if s.agents < 2 { fewerAgents.append(s.agents) }
            if latencies.count % 20 == 0, let st = try await client.workflow(cut.id).stages.first, st.total > 0 || st.state == "failed" {
                planned = true
                break
            }
            try await Task.sleep(for: .milliseconds(25))
        }
        latencies.sort()
        let p = { (q: Double) in latencies[min(latencies.count - 1, Int(Double(latencies.count) * q))] * 1000 }
        print("busy manager: \(latencies.count) summary calls, p50 \(String(format: "%.1f", p(0.5))) ms, p99 \(String(format: "%.1f", p(0.99))) ms, max \(String(format: "%.1f", p(1))) ms")
        #expect(planned, "the cut plan was not made within 240 s")
        #expect(fewerAgents.isEmpty, "summary saw fewer agents: \(fewerAgents.prefix(10))")
        let agents = try await client.agents()
        #expect(agents.allSatisfy { $0.state == "active" }, "agents: \(agents.map { "\($0.id):\($0.state)" })")
        let s = try await client.task(sleeper)
        #expect(s.state == .running && s.crashes == 0 && s.attempt == 1, "sleeper: \(s.state) crashes \(s.crashes) attempt \(s.attempt)")
        #expect(!c.log("manager").contains("lost:"), "an agent was declared lost")
    }
}
