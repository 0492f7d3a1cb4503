import Foundation
import PilotCore
import PilotProtocol
import Testing

@Suite(.serialized) struct WorkflowEndToEndTests {
    @Test func mixedMotifWorkflowCompletesEmbedded() throws {
        let r = try PilotBinary.run(["run", "Examples/mixed-motifs.yaml", "--json"])
        #expect(r.status == 0, "\(r.err)")
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
        #expect(obj["state"] as? String == "done")
        let stages = try #require(obj["stages"] as? [[String: Any]])
        #expect(Set(stages.compactMap { $0["motif"] as? String }) == ["ensemble", "cutting", "coupled", "iterative", "pipeline"])
        #expect(stages.allSatisfy { $0["state"] as? String == "done" })
        // The cut circuit's reconstruction agrees with the exact value within 3 standard errors.
        let cut = try #require(stages.first { $0["motif"] as? String == "cutting" })
        let result = try #require((cut["result"] as? String).flatMap { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] })
        let values = try #require(result["values"] as? [Double])
        let errors = try #require(result["standard_errors"] as? [Double])
        let exact = try #require(result["exact"] as? [Double])
        for i in values.indices { #expect(abs(values[i] - exact[i]) <= 3 * errors[i], "observable \(i): \(values[i]) vs \(exact[i]) ± \(errors[i])") }
        // The variational loop reached within 1e-2 of the exact ground-state energy.
        let vqeStage = try #require(stages.first { $0["motif"] as? String == "iterative" })
        let vqe = try #require((vqeStage["result"] as? String).flatMap { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] })
        let best = try #require(vqe["best_energy"] as? Double), exactE = try #require(vqe["exact_energy"] as? Double)
        #expect(abs(best - exactE) < 1e-2, "VQE \(best) vs exact \(exactE)")
    }

    @Test func pipelineLaterStepStartsBeforeEarlierStepEnds() async throws {
        let c = LiveCluster(tag: "pipeline")
        defer { c.shutdown() }
        try await c.startManager()
        // A core per item, and producers of different lengths: item 0's consumer has a free core the
        // moment its producer ends, long before the last producer does. (On fewer cores than
        // producers, FIFO binding queues every producer first, and the two cores' last producers end
        // in lockstep: whether a consumer starts first is then down to a few ms of jitter.)
        _ = try c.startAgent(["--topology", "synthetic:package:1 numa:1 core:4 pu:1"], name: "agent")
        try await c.waitForAgents(1)
        let yaml = """
        version: 1
        name: stream
        stages:
          s:
            motif: pipeline
            items: "0-3"
            steps:
              - {name: produce, command: ["sh", "-c", "sleep 0.{item}5; echo {item} > {{stage.outputs}}/x-{item}"]}
              - {name: consume, command: ["cat", "{{stage.outputs}}/x-{item}"]}
        """
        let w = try await c.client.submitWorkflow(WorkflowSubmitRequest(yaml: yaml, file: "inline.yaml"))
        _ = try await c.waitAll()
        let info = try await c.client.workflow(w.id)
        #expect(info.state == "done")
        let tasks = try await c.client.tasks(limit: 100).filter { $0.name?.hasPrefix("s.") == true }
        #expect(tasks.count == 8)
        let produceEnd = try #require(tasks.filter { $0.name!.hasPrefix("s.produce") }.compactMap(\.endedAt).max())
        let consumeStart = try #require(tasks.filter { $0.name!.hasPrefix("s.consume") }.compactMap(\.startedAt).min())
        #expect(consumeStart < produceEnd, "the second step waited for the whole first step")
        // Each consumer ran after its own producer.
        for i in 0..<4 {
            let p = try #require(tasks.first { $0.name == "s.produce[\(i)]" })
            let q = try #require(tasks.first { $0.name == "s.consume[\(i)]" })
            #expect(q.startedAt! >= p.endedAt!)
        }
    }

    @Test func failedStageFailsDependentsAndRetryRerunsOnlyFailedStages() async throws {
        let c = LiveCluster(tag: "wfretry")
        defer { c.shutdown() }
        try await c.startManager()
        _ = try c.startAgent(["--topology", "synthetic:package:1 numa:1 core:2 pu:1"], name: "agent")
        try await c.waitForAgents(1)
        let flag = c.dir + "/ok"
        let yaml = """
        version: 1
        stages:
          a: {motif: ensemble, command: ["true"], count: 2}
          b: {motif: ensemble, needs: [a], command: ["test", "-e", "\(flag)"], count: 1}
          c: {motif: ensemble, needs: [b], command: ["true"], count: 1}
        """
        let w = try await c.client.submitWorkflow(WorkflowSubmitRequest(yaml: yaml))
        var info = try await waitForWorkflow(c.client, w.id)
        #expect(info.state == "failed")
        #expect(info.stages.first { $0.name == "b" }?.state == "failed")
        #expect(info.stages.first { $0.name == "c" }?.reason?.contains("dependency b failed") == true)
        FileManager.default.createFile(atPath: flag, contents: nil)
        _ = try await c.client.retryWorkflow(w.id)
        info = try await waitForWorkflow(c.client, w.id)
        #expect(info.state == "done")
        // Stage a was kept: its two tasks ran once.
        let aTasks = try await c.client.tasks(limit: 100).filter { $0.name?.hasPrefix("a[") == true }
        #expect(aTasks.count == 2)
    }

    @Test func malformedWorkflowIsRefusedWithFileLineAndField() async throws {
        let c = LiveCluster(tag: "wfbad")
        defer { c.shutdown() }
        try await c.startManager()
        let bad = c.dir + "/bad.yaml"
        try "version: 1\nstages:\n  a:\n    motif: ensembel\n    command: [\"true\"]\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let r = try PilotBinary.run(["submit", "--server-dir", c.dir, bad])
        #expect(r.status != 0)
        #expect(r.err.contains("bad.yaml:4"), "\(r.err)")
        #expect(r.err.contains("stages.a.motif"), "\(r.err)")
        let healthy = try await c.client.health()
        #expect(healthy)
    }
}

func waitForWorkflow(_ client: PilotClient, _ id: Int64, timeout: Double = 120) async throws -> WorkflowInfo {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        _ = try await client.wait(timeout: 0.5)
        let w = try await client.workflow(id)
        if w.state != "running" { return w }
    }
    throw E2EError("workflow \(id) still running after \(timeout) s")
}

@Suite struct WorkflowInputLimitEndToEndTests {
    /// A circuit file past the size limit fails its stage with the reason, and is never read whole:
    /// the file is sparse (17 MiB of holes), the manager's RSS stays far below it, and it keeps answering.
    @Test func oversizedCircuitFailsTheStageNotTheManager() async throws {
        let c = LiveCluster(tag: "wfbig")
        defer { c.shutdown() }
        try await c.startManager()
        let wdir = c.dir + "/wf"
        try FileManager.default.createDirectory(atPath: wdir, withIntermediateDirectories: true)
        let big = wdir + "/big.qasm"
        FileManager.default.createFile(atPath: big, contents: nil)
        let h = try #require(FileHandle(forWritingAtPath: big))
        try h.truncate(atOffset: 17 << 20)
        try h.close()
        let yaml = """
        version: 1
        stages:
          cut: {motif: cutting, circuit: big.qasm, max_fragment_qubits: 3, observables: [ZZ], shots: 100, device: ideal-sim}
        """
        let w = try await c.client.submitWorkflow(WorkflowSubmitRequest(yaml: yaml, file: wdir + "/wf.yaml", dir: wdir))
        let info = try await waitForWorkflow(c.client, w.id)
        #expect(info.state == "failed")
        let reason = info.stages.first { $0.name == "cut" }?.reason ?? ""
        #expect(reason.contains("larger than \(16 << 20) bytes"), "\(reason)")
        #expect(try await c.client.health())
        let peak = LogStreamingEndToEndTests.peakRSSMiB(c.manager!.processIdentifier)
        #expect(peak > 0 && peak < 250, "manager peak RSS \(peak) MiB")
    }
}
