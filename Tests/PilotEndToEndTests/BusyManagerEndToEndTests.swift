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

        // A 26-qubit chain cut once into two 13-qubit fragments: the plan is cheap, the exact
        // reference simulation of 26 qubits (1 GiB of amplitudes) is not.
        let qasm = c.dir + "/chain26.qasm"
        var text = "OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[26];\nh q[0];\n"
        for i in 0..<25 { text += "cx q[\(i)],q[\(i + 1)];\nry(0.3) q[\(i + 1)];\n" }
        try text.write(toFile: qasm, atomically: true, encoding: .utf8)
        let cutYAML = """
            version: 1
            stages:
              cut:
                motif: cutting
                circuit: chain26.qasm
                max_fragment_qubits: 13
                observables: [ZZZZZZZZZZZZZZZZZZZZZZZZZZ]
                shots: 100
            """
        let sweepYAML = """
            version: 1
            stages:
              sweep: {motif: ensemble, command: ["true"], count: 200000}
            """
        var wide = "version: 1\nstages:\n"
        for i in 0..<10_000 { wide += "  s\(i): {motif: ensemble, command: [\"true\"], count: 1\(i > 0 ? ", needs: [s\(i - 1)]" : "")}\n" }
        let yamls = [cutYAML, sweepYAML, wide]
        // Circuits are read relative to the workflow file.
        let workflowFile = c.dir + "/busy.yaml"
        // Submitted together in the background: the probe runs while the manager parses and plans.
        let submissions = Task {
            try await withThrowingTaskGroup(of: WorkflowInfo.self) { g in
                for y in yamls { g.addTask { try await client.submitWorkflow(WorkflowSubmitRequest(yaml: y, file: workflowFile)) } }
                var out: [WorkflowInfo] = []
                for try await w in g { out.append(w) }
                return out
            }
        }

        // Probe until all three are in and the cut plan is made (its sub-experiments exist), or 300 s.
        var latencies: [Double] = []
        var fewerAgents: [Int] = []
        let deadline = Date().addingTimeInterval(300)
        var planned = false
        while Date() < deadline {
            let t0 = Date()
            let s = try await client.summary()
            latencies.append(Date().timeIntervalSince(t0))
            if s.agents < 2 { fewerAgents.append(s.agents) }
            if latencies.count % 20 == 0 {
                let wfs = try await client.workflows()
                if wfs.count == 3, let cut = wfs.first(where: { $0.stages.first?.name == "cut" })?.stages.first,
                   cut.total > 0 || cut.state == "failed" {
                    #expect(cut.state != "failed", "cut stage: \(cut.reason ?? "")")
                    planned = true
                    break
                }
            }
            try await Task.sleep(for: .milliseconds(25))
        }
        _ = try? await submissions.value
        latencies.sort()
        let p = { (q: Double) in latencies[min(latencies.count - 1, Int(Double(latencies.count) * q))] * 1000 }
        print("busy manager: \(latencies.count) summary calls, p50 \(String(format: "%.1f", p(0.5))) ms, p99 \(String(format: "%.1f", p(0.99))) ms, max \(String(format: "%.1f", p(1))) ms")
        #expect(planned, "the workflows were not all in, or the cut plan not made, within 300 s")
        #expect(fewerAgents.isEmpty, "summary saw fewer agents: \(fewerAgents.prefix(10))")
        let agents = try await client.agents()
        #expect(agents.allSatisfy { $0.state == "active" }, "agents: \(agents.map { "\($0.id):\($0.state)" })")
        let s = try await client.task(sleeper)
        #expect(s.state == .running && s.crashes == 0 && s.attempt == 1, "sleeper: \(s.state) crashes \(s.crashes) attempt \(s.attempt)")
        #expect(!c.log("manager").contains("lost:"), "an agent was declared lost")
    }
}
