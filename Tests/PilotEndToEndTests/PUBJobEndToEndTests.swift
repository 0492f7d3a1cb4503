import Foundation
import PilotCore
import PilotProtocol
import Testing

/// PUB jobs through the real manager and agent from the built `pilot` binary: a sampler and an
/// estimator job run as quantum tasks on the ideal-sim device and store their per-PUB results; a
/// malformed PUB is refused at submit with the task, the PUB, the line and the column.
@Suite(.serialized) struct PUBJobEndToEndTests {
    static let circuit = """
        OPENQASM 3.0;
        include "stdgates.inc";
        input float[64] a;
        qubit[2] q;
        bit[2] c;
        rx(a) q[0];
        cx q[0], q[1];
        c = measure q;
        """

    static func quantumTask(_ job: String) -> TaskSpec {
        var spec = TaskSpec(name: "pub", kind: .quantum, request: ResourceRequest(cores: 1, qpu: QPUSelector(device: "ideal-sim")))
        spec.payload = job
        return spec
    }

    static func quote(_ s: String) throws -> String { String(decoding: try JSONEncoder().encode(s), as: UTF8.self) }

    @Test func samplerAndEstimatorJobsRunAndMalformedOnesAreRefused() async throws {
        let c = LiveCluster(tag: "pubs")
        defer { c.shutdown() }
        try await c.startManager()
        _ = try c.startAgent(["--topology", "synthetic:package:1 numa:1 core:2 pu:1", "--qpu-devices", "ideal-sim"], name: "agent")
        try await c.waitForAgents(1)
        let text = try Self.quote(Self.circuit)
        let sampler = "{\"primitive\": \"sampler\", \"shots\": 1000, \"seed\": 3, \"pubs\": [{\"circuit\": \(text), \"parameter_values\": [[0.0], [3.141592653589793]]}]}"
        let estimator = "{\"primitive\": \"estimator\", \"precision\": 0, \"pubs\": [{\"circuit\": \(text), \"parameter_values\": [[[0.0]], [[3.141592653589793]]], \"observables\": [[[\"ZZ\", 2.0], [\"II\", 0.5]], \"ZI\"]}]}"
        _ = try await c.client.submit(SubmitRequest(tasks: [Self.quantumTask(sampler), Self.quantumTask(estimator)]))
        let w = try await c.waitAll()
        #expect(w.summary.count(.done) == 2)

        let s = try await c.client.task(1)
        let sr = try #require(s.result.flatMap { try JSONSerialization.jsonObject(with: Data($0.text.utf8)) as? [String: Any] })
        #expect(sr["device"] as? String == "ideal-sim")
        let sp = try #require((sr["pubs"] as? [[String: Any]])?.first)
        #expect(sp["shape"] as? [Int] == [2])
        let counts = try #require(sp["counts"] as? [[String: [String: Int]]])
        #expect(counts == [["c": ["00": 1000]], ["c": ["11": 1000]]])

        let e = try await c.client.task(2)
        let er = try #require(e.result.flatMap { try JSONSerialization.jsonObject(with: Data($0.text.utf8)) as? [String: Any] })
        let ep = try #require((er["pubs"] as? [[String: Any]])?.first)
        // Bindings (2, 1) against observables (2,): [[2·1 + 0.5, 1], [2·1 + 0.5, −1]].
        #expect(ep["shape"] as? [Int] == [2, 2])
        let evs = try #require(ep["evs"] as? [Double])
        for (got, want) in zip(evs, [2.5, 1.0, 2.5, -1.0]) { #expect(abs(got - want) < 1e-12) }
        #expect(ep["stds"] as? [Double] == [0, 0, 0, 0])

        // The second PUB's circuit has an unknown gate on line 4: refused before anything is queued.
        let bad = try Self.quote("OPENQASM 3.0;\ninclude \"stdgates.inc\";\nqubit[1] q;\nfoo q[0];\n")
        let malformed = "{\"primitive\": \"sampler\", \"pubs\": [{\"circuit\": \(text), \"parameter_values\": [0.1]}, {\"circuit\": \(bad)}]}"
        do {
            _ = try await c.client.submit(SubmitRequest(tasks: [Self.quantumTask(sampler), Self.quantumTask(malformed)]))
            Issue.record("a malformed PUB was accepted")
        } catch let error as APIErrorBody {
            #expect(error.code == "bad_request")
            #expect(error.field == "tasks[1].payload.pubs[1].circuit")
            #expect(error.message == "pubs[1].circuit:4:1: unknown gate 'foo'")
        }
        #expect(try await c.client.summary().total == 2)

        // The single-circuit payload still runs beside PUB jobs.
        let old = "{\"circuit\": \(text.replacingOccurrences(of: "input float[64] a;\\n", with: "").replacingOccurrences(of: "rx(a)", with: "x")), \"shots\": 100, \"device\": \"ideal-sim\"}"
        _ = try await c.client.submit(SubmitRequest(tasks: [Self.quantumTask(old)]))
        _ = try await c.waitAll()
        let o = try await c.client.task(3)
        #expect(o.state == .done)
        #expect(o.result?.text.contains("\"11\":100") == true, "\(o.result?.text ?? "")")
    }
}
