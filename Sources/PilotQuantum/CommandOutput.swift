/// What an external executor prints. Decoded with `JSONDecoder` so that `true` is never taken
/// for a count of 1 (JSONSerialization on Linux bridges both to NSNumber).
struct CommandOutput: Decodable {
    struct Expectation: Decodable {
        var value: Double
        var standardError: Double?

        private enum Keys: String, CodingKey { case value, standardError, stderr }

        /// Either a bare number or {"value": v, "standardError"|"stderr": e}.
        init(from decoder: any Decoder) throws {
            if let number = try? decoder.singleValueContainer().decode(Double.self) {
                value = number
                return
            }
            let c = try decoder.container(keyedBy: Keys.self)
            value = try c.decode(Double.self, forKey: .value)
            standardError = try c.decodeIfPresent(Double.self, forKey: .standardError)
                ?? c.decodeIfPresent(Double.self, forKey: .stderr)
        }
    }

    var counts: [String: Int]?
    var expectations: [Expectation]?

    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            // Array positions come as "Index n"; dictionary keys such as "01" keep their text.
            let text = context.codingPath.map { key in
                key.stringValue.hasPrefix("Index ") ? key.intValue.map(String.init) ?? key.stringValue : key.stringValue
            }.joined(separator: ".")
            return text.isEmpty ? "top level" : "'\(text)'"
        }
        switch error {
        case .typeMismatch(let type, let context):
            return "\(path(context)): expected \(type == Int.self ? "an integer" : type == Double.self ? "a number" : "\(type)")"
        case .valueNotFound(_, let context):
            return "\(path(context)): value missing"
        case .keyNotFound(let key, let context):
            return "\(path(context)): missing key '\(key.stringValue)'"
        case .dataCorrupted(let context):
            return "\(path(context)): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}
