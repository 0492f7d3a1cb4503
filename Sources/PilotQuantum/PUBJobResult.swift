import Foundation

/// What a `PUBJob` returns: one `PUBResult` per PUB, in order. `seed` is the one used (drawn when
/// the job gave none), so a run can be repeated.
public struct PUBJobResult: Sendable, Codable, Hashable {
    public var version: Int
    public var primitive: PUBJob.Primitive
    public var device: String
    public var seed: UInt64
    public var pubs: [PUBResult]
    public var timings: QuantumTimings

    public init(primitive: PUBJob.Primitive, device: String, seed: UInt64, pubs: [PUBResult], timings: QuantumTimings) {
        version = PUBJob.version
        self.primitive = primitive
        self.device = device
        self.seed = seed
        self.pubs = pubs
        self.timings = timings
    }

    /// Canonical JSON (sorted keys, snake_case) like `QuantumResult.jsonData()`.
    public func jsonData() throws(QuantumError) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        do {
            return try encoder.encode(self)
        } catch {
            throw QuantumError(.io, "cannot encode result", cause: error)
        }
    }

    public static func decode(_ data: Data) throws -> PUBJobResult {
        let d = JSONDecoder()
        d.keyDecodingStrategy = .convertFromSnakeCase
        return try d.decode(PUBJobResult.self, from: data)
    }
}
