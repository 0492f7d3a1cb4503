import Foundation
import PilotProtocol
import Testing

/// The cutting optimizer inside a workflow: `max_fragment_qubits: auto` and `device: auto` on a
/// real manager with two agents and three devices. The chosen plan with its predicted and measured
/// makespans must reach the stage result and the journal, and every sub-experiment must run on a
/// device of the plan.
@Suite(.serialized) struct DreamerEndToEndTests {
    static let devices = ["small-7", "trapped-ion-11", "line-20"]

    @Test func autoCuttingStageRecordsPlanAndMakespans() async throws {
        let c = LiveCluster(tag: "dreamer")
        defer { c.shutdown() }
        try await c.startWithDevices(Self.devices)
        let yaml = """
        version: 1
        name: dreamer
        stages:
          cut:
            motif: cutting
            circuit: {qubits: 12, depth: 2, seed: 5}
            max_fragment_qubits: auto
            device: auto
            observables: [ZZZZZZZZZZZZ]
            shots: 200
          placed:
            motif: cutting
            circuit: {qubits: 12, depth: 2, seed: 6}
            max_fragment_qubits: 6
            device: auto
            observables: [ZZZZZZZZZZZZ]
            shots: 200
        """
        let w = try await c.client.submitWorkflow(WorkflowSubmitRequest(yaml: yaml, file: "inline.yaml"))
        let info = try await poll("workflow \(w.id) to end", timeout: 240) { () async throws -> WorkflowInfo? in
            let i = try await c.client.workflow(w.id)
            return i.state == "running" ? nil : i
        }
        #expect(info.state == "done", "\(c.log("manager"))")
        let stage = try #require(info.stages.first { $0.name == "cut" })
        let result = try #require(stage.result.flatMap {
            try JSONSerialization.jsonObject(with: Data($0.text.utf8)) as? [String: Any]
        })
        let plan = try #require(result["plan"] as? String)
        let predicted = try #require(result["predicted_makespan"] as? Double)
        let measured = try #require(result["measured_makespan"] as? Double)
        let planDevices = try #require(result["devices"] as? [String])
        #expect(predicted > 0)
        #expect(measured > 0)
        #expect(!planDevices.isEmpty && planDevices.allSatisfy(Self.devices.contains))
        // The reconstruction still agrees with the exact value.
        let values = try #require(result["values"] as? [Double]), errors = try #require(result["standard_errors"] as? [Double])
        let exact = try #require(result["exact"] as? [Double])
        #expect(abs(values[0] - exact[0]) <= 3 * max(errors[0], 1e-9) + 1e-9, "\(values) vs \(exact) ± \(errors)")

        // A fixed width with `device: auto`: the circuit is cut to fragments of at most 6 qubits and
        // only the placement is chosen.
        let placed = try #require(info.stages.first { $0.name == "placed" })
        let placedResult = try #require(placed.result.flatMap {
            try JSONSerialization.jsonObject(with: Data($0.text.utf8)) as? [String: Any]
        })
        #expect((placedResult["plan"] as? String)?.hasPrefix("w6 ") == true, "\(placedResult)")
        #expect((placedResult["subexperiments"] as? Int ?? 0) > 1)
        #expect((placedResult["devices"] as? [String])?.allSatisfy(Self.devices.contains) == true)

        // The journal: cut_planned names the plan with its prediction and runners-up; the stage's
        // end carries predicted and measured makespan.
        let page = try await c.client.events(since: 0, limit: 1000, workflow: w.id, kinds: ["cut_planned", "stage_state"])
        let planned = try #require(page.events.first { $0.kind.rawValue == "cut_planned" && $0.stage == "cut" })
        let plannedDetail = try #require(planned.detail.flatMap {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        })
        #expect(plannedDetail["plan"] as? String == plan)
        #expect(plannedDetail["predicted_makespan"] as? Double == predicted)
        #expect((plannedDetail["runners_up"] as? [Any])?.isEmpty == false)
        let ended = try #require(page.events.first { $0.kind.rawValue == "stage_state" && $0.state == "done" && $0.stage == "cut" })
        let endedDetail = try #require(ended.detail.flatMap {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        })
        #expect(endedDetail["plan"] as? String == plan)
        #expect((endedDetail["measured_makespan"] as? Double ?? 0) > 0)

        // Each sub-experiment ran on the device the plan gave it.
        let listed = try await c.client.tasks(limit: 1000).filter { $0.name?.hasPrefix("cut[sub") == true }
        #expect(!listed.isEmpty)
        for l in listed {
            // The listing leaves bindings out; each task's own record has it.
            let t = try await c.client.task(l.id)
            let device = try #require(t.binding?.qpu?.device)
            #expect(planDevices.contains(device), "task \(t.id) ran on \(device), plan uses \(planDevices)")
        }
    }

    @Test func cliRefusesACircuitNoDeviceHoldsAndABudgetNoPlanMeets() throws {
        let dir = PilotBinary.tempDir("dreamer-cli")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // A Toffoli cannot be split: on 2-qubit fragments no device can hold it.
        let toffoli = dir + "/toffoli.qasm"
        try "OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[3];\nh q[0];\nccx q[0],q[1],q[2];\n"
            .write(toFile: toffoli, atomically: true, encoding: .utf8)
        let pair = dir + "/qpu"
        try FileManager.default.createDirectory(atPath: pair, withIntermediateDirectories: true)
        try """
        version: 1
        name: pair
        qubits: 2
        coupling_map: [[0, 1]]
        max_concurrent_jobs: 1
        executor: {type: embedded}
        """.write(toFile: pair + "/pair.yaml", atomically: true, encoding: .utf8)
        let refused = try PilotBinary.run(["cut", "--auto", "--circuit", toffoli, "--qpu-profiles", pair, "--server-dir", dir])
        #expect(refused.status != 0)
        #expect(refused.err.contains("no device can hold the 3-qubit circuit"), "\(refused.err)")
        #expect(refused.err.contains("3-qubit gate cannot fit"), "\(refused.err)")
        // No model in the server directory: the default is used, and said so.
        #expect(refused.err.contains("using the default model"), "\(refused.err)")

        // A 12-qubit chain on a 7-qubit device needs a cut: overhead 9 at least (a gate cut).
        let chain = PilotBinary.root.path + "/Examples/circuits/chain12.qasm"
        let budget = try PilotBinary.run(["cut", "--auto", "--circuit", chain, "--devices", "small-7",
                                          "--max-overhead", "2", "--plan-only", "--server-dir", dir])
        #expect(budget.status != 0)
        #expect(budget.err.contains("no plan meets the budget"), "\(budget.err)")
        #expect(budget.err.contains("the best plan, 'w"), "\(budget.err)")

        // A corrupt model file: a warning naming it, and the plan still made with the default.
        try "not json".write(toFile: dir + "/dreamer-model.json", atomically: true, encoding: .utf8)
        let ok = try PilotBinary.run(["cut", "--auto", "--circuit", chain, "--devices", "small-7,line-20",
                                      "--plan-only", "--server-dir", dir])
        #expect(ok.status == 0, "\(ok.err)")
        #expect(ok.err.contains("dreamer-model.json: the model file is not a valid model"), "\(ok.err)")
        #expect(ok.out.contains("chosen: "), "\(ok.out)")
    }
}
