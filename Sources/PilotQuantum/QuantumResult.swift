import Foundation

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

    /// Canonical JSON (sorted keys) so identical results serialise identically.
    public func jsonData() throws(QuantumError) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // snake_case like every other JSON a user reads from this system (the API, the CLI's --json).
        encoder.keyEncodingStrategy = .convertToSnakeCase
        do {
            return try encoder.encode(self)
        } catch {
            throw QuantumError(.io, "cannot encode result", cause: error)
        }
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
