import Foundation

/// What `pilot-dsv` prints (rank 0): the run's shape, timing, communication, a checksum and the
/// first amplitudes, and the largest difference from the single-process simulator.
struct DSVReport: Codable, Sendable {
    var version = 1
    var ranks: Int
    var qubits: Int
    var localQubits: Int
    var depth: Int?
    var seed: UInt64?
    var circuit: String?
    var gates: Int
    var exchanges: Int
    var bytesSentPerRank: Int
    var simulationSeconds: Double
    var referenceSeconds: Double?
    var norm: Double
    /// Σ_i i·|a_i|² in logical order: a cheap fingerprint of the probability distribution.
    var checksum: Double?
    /// [re, im] of the first amplitudes in logical order.
    var amplitudes: [[Double]]?
    var maxError: Double?
    var tolerance: Double
    var ok: Bool

    func json() -> String {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.outputFormatting = [.sortedKeys]
        return (try? e.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
