import Foundation
import PilotCore
import PilotProtocol
import Testing

/// `qpu: auto` on a real manager with two agents and three device profiles: each task's device is
/// chosen at bind time by its policy, the task runs there, and the decision with its predictions is
/// in the journal, with the same predictions `pilot dreamer predict` makes for the circuit.
@Suite(.serialized) struct AutoDeviceEndToEndTests {
    static let devices = ["trapped-ion-11", "superconducting-27", "line-20"]
    static let ghz5 = """
        OPENQASM 2.0;
        include "qelib1.inc";
        qreg q[5];
        creg c[5];
        h q[0];
        cx q[0],q[1]; cx q[1],q[2]; cx q[2],q[3]; cx q[3],q[4];
        measure q -> c;
        """

    struct Option: Decodable { var device: String; var runtime: Double; var wait: Double?; var fidelity: Double }
    struct Detail: Decodable { var policy: String; var device: String; var predictedRuntime: Double; var options: [Option] }

    static func payload(_ circuit: String, shots: Int) throws -> String {
        let job: [String: Any] = ["circuit": circuit, "shots": shots, "device": "auto"]
        return String(decoding: try JSONSerialization.data(withJSONObject: job), as: UTF8.self)
    }

    static func task(_ policy: String, circuit: String = ghz5, shots: Int = 200) throws -> TaskSpec {
        var t = TaskSpec(name: "auto-\(policy)", kind: .quantum, request: ResourceRequest(cores: 1, qpu: try QPUSelector(parsing: "auto:\(policy)")))
        t.payload = try payload(circuit, shots: shots)
        return t
    }

    func start() async throws -> LiveCluster {
        let c = LiveCluster(tag: "auto-device")
        do { try await c.startWithDevices(Self.devices) } catch { c.shutdown(); throw error }
        return c
    }

    /// The `device_chosen` and `lease_acquired` records of the tasks, by task.
    func decisions(_ c: LiveCluster, _ ids: ClosedRange<Int64>) async throws -> (chosen: [Int64: (String, Detail)], leased: [Int64: String]) {
        let page = try await c.client.events(since: 0, limit: 10_000, kinds: ["device_chosen", "lease_acquired"])
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        var chosen: [Int64: (String, Detail)] = [:]
        var leased: [Int64: String] = [:]
        for e in page.events {
            guard let t = e.task, ids.contains(t), let device = e.state else { continue }
            if e.kind == .deviceChosen {
                chosen[t] = (device, try decoder.decode(Detail.self, from: Data(try #require(e.detail).utf8)))
            } else {
                leased[t] = device
            }
        }
        return (chosen, leased)
    }

    @Test func eachPolicyChoosesAtBindTimeAndTheJournalHoldsItsPredictions() async throws {
        let c = try await start()
        defer { c.shutdown() }
        // fidelity: every task goes to the cleanest device, waiting for its single slot if need be.
        let clean = try await c.client.submit(SubmitRequest(tasks: try (0..<4).map { _ in try Self.task("fidelity") }))
        let fast = try await c.client.submit(SubmitRequest(tasks: try (0..<6).map { _ in try Self.task("fastest") }))
        let balanced = try await c.client.submit(SubmitRequest(tasks: [try Self.task("balanced")]))
        let w = try await c.waitAll(timeout: 240)
        #expect(w.failed == 0, "\(c.log("manager"))")
        let all = clean.first...(balanced.first + Int64(balanced.count) - 1)
        let (chosen, leased) = try await decisions(c, all)
        #expect(chosen.count == all.count, "one decision per task: \(chosen.keys.sorted())")
        for id in all {
            let (device, d) = try #require(chosen[id], "task \(id)")
            // The decision is what the task got and where it ran.
            #expect(leased[id] == device && d.device == device)
            #expect(Set(d.options.map(\.device)) == Set(Self.devices), "every profile holds 5 qubits")
            let me = try #require(d.options.first { $0.device == device })
            #expect(me.wait == 0, "bound only to a device free now")
            #expect(d.predictedRuntime == me.runtime && me.runtime > 0)
            let info = try await c.client.task(id)
            #expect(info.state == .done, "\(info.reason ?? "")")
            switch d.policy {
            case "fidelity":
                #expect(me.fidelity == d.options.map(\.fidelity).max(), "task \(id): \(d.options)")
            case "fastest":
                let end = { (o: Option) in (o.wait ?? .infinity) + o.runtime }
                #expect(end(me) == d.options.map(end).min(), "task \(id): \(d.options)")
            default:
                #expect(d.policy == "balanced")
                let score = { (o: Option) in ((o.wait ?? .infinity) + o.runtime) / o.fidelity }
                #expect(score(me) == d.options.map(score).min(), "task \(id): \(d.options)")
            }
        }
        #expect(try #require(clean.ids).allSatisfy { chosen[$0]?.0 == chosen[clean.first]?.0 })
        _ = fast

        // The predictions are the ones `pilot dreamer predict` makes for the circuit on each device.
        let file = c.dir + "/ghz5.qasm"
        try Self.ghz5.write(toFile: file, atomically: true, encoding: .utf8)
        let predict = try PilotBinary.run(["dreamer", "predict", file, "--shots", "200", "--json", "--server-dir", c.dir,
                                           "--qpu-profiles", c.dir + "/qpu"])
        struct Report: Decodable { struct Device: Decodable { var device: String; var runtime: Double?; var fidelity: Double? }; var devices: [Device] }
        let report = try decoder().decode(Report.self, from: Data(predict.out.utf8))
        let (_, sample) = try #require(chosen[clean.first])
        for o in sample.options {
            let p = try #require(report.devices.first { $0.device == o.device })
            #expect(abs((p.fidelity ?? -1) - o.fidelity) < 1e-9, "\(o.device): \(p.fidelity ?? -1) vs \(o.fidelity)")
        }
    }

    @Test func theCLITakesAutoAndATooWideCircuitIsRefusedWithTheReason() async throws {
        let c = try await start()
        defer { c.shutdown() }
        let file = c.dir + "/ghz5.qasm"
        try Self.ghz5.write(toFile: file, atomically: true, encoding: .utf8)
        let sub = try PilotBinary.run(["submit", "--server-dir", c.dir, "--circuit", file, "--shots", "100", "--qpu", "auto:fastest", "--json"])
        #expect(sub.status == 0, "\(sub.err)")
        let w = try await c.waitAll(timeout: 120)
        #expect(w.failed == 0)
        let page = try await c.client.events(since: 0, limit: 1000, kinds: ["device_chosen"])
        #expect(page.events.count == 1 && Self.devices.contains(page.events[0].state ?? ""), "\(page.events)")

        var wide = "OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[30];\ncreg c[30];\nh q[0];\n"
        for i in 1..<30 { wide += "cx q[\(i - 1)],q[\(i)];\n" }
        let error = await #expect(throws: (any Error).self) {
            _ = try await c.client.submit(SubmitRequest(tasks: [try Self.task("balanced", circuit: wide)]))
        }
        let text = "\(error.map { "\($0)" } ?? "")"
        #expect(text.contains("tasks[0].payload") && text.contains("no device can hold") && text.contains("27 qubits"), "\(text)")
        // A bad policy is refused where it is read, naming the field.
        let bad = try PilotBinary.run(["submit", "--server-dir", c.dir, "--circuit", file, "--qpu", "auto:quickest"])
        #expect(bad.status != 0 && bad.err.contains("quickest"), "\(bad.err)")
    }

    func decoder() -> JSONDecoder {
        let d = JSONDecoder()
        d.keyDecodingStrategy = .convertFromSnakeCase
        return d
    }
}
