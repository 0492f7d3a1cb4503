import Foundation
import PilotCore

/// Outcome of a `QuantumJob`. `seed` is the one actually used (drawn when the job gave none) so
/// any run can be repeated; `trajectories` is set when gate noise was simulated.
public struct QuantumResult: Sendable, Codable, Hashable {
    public var device: String
    public var qubits: Int
    public var shots: Int
    public var seed: UInt64
    public var counts: [String: Int]
    public var expectations: [ExpectationValue]
    public var timings: QuantumTimings
    public var trajectories: Int?

    public init(device: String, qubits: Int, shots: Int, seed: UInt64, counts: [String: Int],
                expectations: [ExpectationValue], timings: QuantumTimings, trajectories: Int? = nil) {
        self.device = device
        self.qubits = qubits
        self.shots = shots
        self.seed = seed
        self.counts = counts
        self.expectations = expectations
        self.timings = timings
        self.trajectories = trajectories
    }

    /// Canonical JSON (sorted keys, snake_case like every other JSON a user reads from this
    /// system) so identical results serialise identically. Written by hand, byte for byte what
    /// `JSONEncoder` with `.sortedKeys` and `.convertToSnakeCase` writes (a test holds the two
    /// together): every quantum task's result goes through here on the agent.
    public func jsonData() throws(QuantumError) -> Data {
        var s = #"{"counts":{"#
        for (k, key) in counts.keys.sorted().enumerated() {
            if k > 0 { s += "," }
            JSONLiteral.appendString(key, to: &s)
            s += ":\(counts[key]!)"
        }
        s += #"},"device":"#
        JSONLiteral.appendString(device, to: &s)
        s += #","expectations":["#
        for (k, e) in expectations.enumerated() {
            guard e.value.isFinite, e.standardError.isFinite else {
                throw QuantumError(.io, "cannot encode result: observable \(e.observable) has a non-finite value")
            }
            if k > 0 { s += "," }
            s += #"{"observable":"#
            JSONLiteral.appendString(e.observable, to: &s)
            s += #","standard_error":\#(JSONLiteral.number(e.standardError)),"value":\#(JSONLiteral.number(e.value))}"#
        }
        let t = timings
        guard t.queueWaitSeconds.isFinite, t.executionSeconds.isFinite, t.totalSeconds.isFinite else {
            throw QuantumError(.io, "cannot encode result: non-finite timings")
        }
        s += #"],"qubits":\#(qubits),"seed":\#(seed),"shots":\#(shots),"timings":{"#
        s += #""execution_seconds":\#(JSONLiteral.number(t.executionSeconds)),"#
        s += #""queue_wait_seconds":\#(JSONLiteral.number(t.queueWaitSeconds)),"#
        s += #""total_seconds":\#(JSONLiteral.number(t.totalSeconds))}"#
        if let trajectories { s += #","trajectories":\#(trajectories)"# }
        s += "}"
        return Data(s.utf8)
    }
}

extension QuantumResult {
    /// Reads what `jsonData()` writes.
    public static func decode(_ data: Data) throws -> QuantumResult {
        let d = JSONDecoder()
        d.keyDecodingStrategy = .convertFromSnakeCase
        return try d.decode(QuantumResult.self, from: data)
    }
}
