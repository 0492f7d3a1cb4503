import Foundation
import PilotCore
import PilotProtocol
import Testing

/// Quantum tasks queued at the agent behind the task holding their device slot, through the real
/// manager and agent: the queued one waits bound on that task's core and slot, starts when it
/// ends, and no two tasks on one slot ever overlap.
@Suite(.serialized) struct LeaseQueueEndToEndTests {
    static func task(_ name: String, qubits: Int, layers: Int) throws -> TaskSpec {
        var lines = ["OPENQASM 2.0;", "include \"qelib1.inc\";", "qreg q[\(qubits)];"]
        for layer in 0..<layers {
            for q in 0..<qubits { lines.append("rx(\(0.01 * Double(layer + q + 1))) q[\(q)];") }
            for q in stride(from: layer % 2, to: qubits - 1, by: 2) { lines.append("cx q[\(q)],q[\(q + 1)];") }
        }
        let circuit = String(decoding: try JSONEncoder().encode(lines.joined(separator: "\n")), as: UTF8.self)
        var spec = TaskSpec(name: name, kind: .quantum, request: ResourceRequest(cores: 1, qpu: QPUSelector(device: "ideal-sim")))
        spec.payload = "{\"circuit\":\(circuit),\"shots\":0,\"observables\":[\"\(String(repeating: "Z", count: qubits))\"],\"device\":\"ideal-sim\"}"
        return spec
    }

    func until(_ c: LiveCluster, _ id: Int64, _ done: (TaskInfo) -> Bool) async throws -> TaskInfo {
        try await poll("task \(id) to reach the expected state", timeout: 60) {
            let t = try await c.client.task(id)
            return done(t) ? t : nil
        }
    }

    @Test func aQuantumTaskWaitsAtTheAgentOnTheSlotAheadOfItAndTakesItOver() async throws {
        let c = LiveCluster(tag: "lease-queue")
        defer { c.shutdown() }
        try await c.startManager()
        _ = try c.startAgent(["--topology", "synthetic:package:1 numa:1 core:1 pu:1", "--qpu-devices", "ideal-sim"], name: "agent")
        try await c.waitForAgents(1)

        // A 22-qubit circuit deep enough to run until canceled, then a small one behind it.
        let long = try await c.client.submit(SubmitRequest(tasks: [try Self.task("long", qubits: 22, layers: 2000)])).first
        let running = try await until(c, long) { $0.state == .running }
        let short = try await c.client.submit(SubmitRequest(tasks: [try Self.task("short", qubits: 4, layers: 2)])).first
        let queued = try await until(c, short) { $0.state == .bound }
        // The device has three free slots, but the only core is busy: the task waits behind the
        // running one on its core and its slot, not on a slot of its own.
        #expect(queued.binding?.qpu == running.binding?.qpu)
        #expect(queued.binding?.placements[0].cores == running.binding?.placements[0].cores)
        #expect(queued.startedAt == nil)

        _ = try await c.client.cancel([long])
        let done = try await until(c, short) { $0.state.isTerminal }
        #expect(done.state == .done, "\(done.reason ?? "")")
        let result = try #require(done.result.flatMap { try JSONSerialization.jsonObject(with: Data($0.text.utf8)) as? [String: Any] })
        #expect((result["expectations"] as? [Any])?.count == 1, "\(result)")
        #expect(try await c.client.task(long).state == .canceled)

        // Many short ones: each slot's tasks run one at a time, and every one succeeds.
        let r = try await c.client.submit(SubmitRequest(tasks: try (0..<200).map { try Self.task("s\($0)", qubits: 4 + $0 % 3, layers: 2) }))
        let w = try await c.waitAll()
        #expect(w.summary.count(.done) == 201)
        var bySlot: [Int: [(Double, Double)]] = [:]
        for id in r.first..<(r.first + Int64(r.count)) {
            let t = try await c.client.task(id)
            let slot = try #require(t.binding?.qpu?.slots.first)
            bySlot[slot, default: []].append((try #require(t.startedAt), try #require(t.endedAt)))
        }
        for (slot, spans) in bySlot {
            let sorted = spans.sorted { $0.0 < $1.0 }
            for (a, b) in zip(sorted, sorted.dropFirst()) {
                #expect(b.0 >= a.1, "two tasks overlapped on slot \(slot)")
            }
        }
    }
}
