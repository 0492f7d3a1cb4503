import PilotCore

/// A JSON-like value from the file: sweep values and free-form driver parameters.
public enum ParamValue: Sendable, Hashable, Codable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case list([ParamValue])
    /// Keys in file order, so rendering is deterministic.
    case map([Entry])

    public struct Entry: Sendable, Hashable, Codable {
        public var key: String
        public var value: ParamValue
        public init(key: String, value: ParamValue) { self.key = key; self.value = value }
    }

    /// The text substituted into a template: scalars bare, containers as compact JSON.
    public var text: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) + ".0" : String(d)
        case .string(let s): return s
        case .list, .map: return json
        }
    }

    /// Compact JSON, for payloads handed to drivers and kernels.
    public var json: String {
        switch self {
        case .null: return "null"
        case .bool, .int: return text
        case .double(let d): return d.isFinite ? text : "null"
        case .string(let s): return Self.quote(s)
        case .list(let items): return "[" + items.map(\.json).joined(separator: ",") + "]"
        case .map(let entries): return "{" + entries.map { Self.quote($0.key) + ":" + $0.value.json }.joined(separator: ",") + "}"
        }
    }

    public subscript(key: String) -> ParamValue? {
        guard case .map(let entries) = self else { return nil }
        return entries.first { $0.key == key }?.value
    }

    public var intValue: Int? {
        switch self {
        case .int(let i): return i
        case .double(let d) where d == d.rounded() && abs(d) < 9e15: return Int(d)
        default: return nil
        }
    }

    public var doubleValue: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }

    /// A JSON string literal, spelled as everywhere else the project writes JSON by hand.
    static func quote(_ s: String) -> String {
        var out = ""
        JSONLiteral.appendString(s, to: &out)
        return out
    }
}
