import Foundation
import PilotCore
import PilotProtocol
import Testing

/// Cancelling a running quantum task stops its simulation: the agent's CPU goes quiet within a
/// second or so of the cancel, instead of computing a 24-qubit state to the end.
@Suite(.serialized) struct QuantumCancelEndToEndTests {
    /// utime + stime of a process, in seconds.
    static func cpuSeconds(_ pid: Int32) -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return -1 }
        let fields = stat[stat.index(close, offsetBy: 2)...].split(separator: " ")
        return (Double(fields[11]) ?? 0) / 100 + (Double(fields[12]) ?? 0) / 100
    }

    /// CPU the process used over the next `window` seconds, as a fraction of one core.
    static func load(_ pid: Int32, window: Double = 0.4) async throws -> Double {
        let a = cpuSeconds(pid)
        try await Task.sleep(for: .milliseconds(Int(window * 1000)))
        return (cpuSeconds(pid) - a) / window
    }

    static var circuit: String {
        var lines = ["OPENQASM 2.0;", "include \"qelib1.inc\";", "qreg q[24];", "creg c[24];"]
        for layer in 0..<400 {
            for q in 0..<24 { lines.append("rx(\(0.01 * Double(layer + q))) q[\(q)];") }
            for q in stride(from: layer % 2, to: 23, by: 2) { lines.append("cx q[\(q)],q[\(q + 1)];") }
        }
        lines.append("measure q -> c;")
        return lines.joined(separator: "\n")
    }

    @Test func cancellingA24QubitTaskStopsItsSimulation() async throws {
        let c = LiveCluster(tag: "qcancel")
        defer { c.shutdown() }
        try await c.startManager()
        let agent = try c.startAgent(["--topology", "synthetic:package:1 numa:1 core:2 pu:1"], name: "agent")
        try await c.waitForAgents(1)
        let job = "{\"circuit\":\(String(decoding: try JSONEncoder().encode(Self.circuit), as: UTF8.self)),\"shots\":100,\"device\":\"ideal-sim\"}"
        var spec = TaskSpec(name: "q24", kind: .quantum, request: ResourceRequest(cores: 2, qpu: QPUSelector(device: "ideal-sim")))
        spec.payload = job
        let r = try await c.client.submit(SubmitRequest(tasks: [spec]))

        // Readiness: running, and the agent busy simulating.
        let pid = agent.processIdentifier
        let deadline = Date().addingTimeInterval(60)
        var busy = 0.0
        while Date() < deadline {
            if try await c.client.task(r.first).state == .running {
                busy = try await Self.load(pid)
                if busy > 0.5 { break }
            } else {
                try await Task.sleep(for: .milliseconds(20))
            }
        }
        #expect(busy > 0.5, "the simulation never got going (agent at \(busy) cores)")

        let canceledAt = Date()
        _ = try await c.client.cancel([r.first])
        var quietAfter: Double?
        while Date().timeIntervalSince(canceledAt) < 10 {
            if try await Self.load(pid, window: 0.2) < 0.1 { quietAfter = Date().timeIntervalSince(canceledAt); break }
        }
        let stopped = try #require(quietAfter, "the agent kept computing for 10 s after the cancel")
        // A second, plus the 0.2 s window that measured it and slack for this shared machine.
        #expect(stopped < 1.5, "the simulation went on for \(stopped) s after the cancel")
        #expect(try await c.client.task(r.first).state == .canceled)
    }
}
