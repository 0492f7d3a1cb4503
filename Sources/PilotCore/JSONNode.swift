/// JSON decoded without a schema, so input can be checked field by field with the exact path of
/// what is wrong (`pubs[2].observables[0][1]`) instead of Codable's generic messages: PUB payloads,
/// and the API's submit bodies on their fast path.
public indirect enum JSONNode: Sendable, Decodable {
    case null
    case bool(Bool)
    /// `exact` keeps integers that do not fit a Double's 53 bits (seeds) as written.
    case number(Double, exact: UInt64?)
    case string(String)
    case array([JSONNode])
    case object([String: JSONNode])

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null; return }
        // Bool before numbers: JSONDecoder never reads a number as a Bool, so the order is safe.
        if let b = try? c.decode(Bool.self) { self = .bool(b); return }
        if let u = try? c.decode(UInt64.self) { self = .number(Double(u), exact: u); return }
        if let d = try? c.decode(Double.self) { self = .number(d, exact: nil); return }
        if let s = try? c.decode(String.self) { self = .string(s); return }
        if let a = try? c.decode([JSONNode].self) { self = .array(a); return }
        self = .object(try c.decode([String: JSONNode].self))
    }

    /// How a value is named in an error: its JSON type, not its contents.
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "a list"
        case .object: return "an object"
        }
    }
}
