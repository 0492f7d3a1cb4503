import Foundation

/// What a VQE run reports: the JSON summary of `pilot miniapp vqe --json` and of a `vqe` stage.
public struct VQEReport: Sendable, Hashable, Codable {
    public var qubits: Int
    public var layers: Int
    public var parameters: Int
    public var optimizer: String
    public var shots: Int
    public var exactEnergy: Double
    public var finalEnergy: Double?
    public var bestEnergy: Double?
    public var rounds: Int
    public var converged: Bool
    /// First round within 1e-2 of the exact energy, if any.
    public var roundsToWithin1e2: Int?
    public var circuitEvaluations: Int
    public var bestParameters: [Double]
    public var history: [VQERound]
    public var error: String?

    public func json(pretty: Bool = false, includeHistory: Bool = true) -> String {
        var copy = self
        if !includeHistory { copy.history = [] }
        return MiniAppJSON.encode(copy, pretty: pretty)
    }
}

/// Shared JSON encoding of reports (sorted keys, so output is stable).
public enum MiniAppJSON {
    /// Reads a report `encode` wrote.
    public static func decode<T: Decodable>(_ type: T.Type, from text: String) throws -> T {
        let d = JSONDecoder()
        d.keyDecodingStrategy = .convertFromSnakeCase
        d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try d.decode(type, from: Data(text.utf8))
    }

    static func encode(_ value: some Encodable, pretty: Bool = false) -> String {
        let e = JSONEncoder()
        e.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted] : [.sortedKeys]
        e.keyEncodingStrategy = .convertToSnakeCase
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return (try? e.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
