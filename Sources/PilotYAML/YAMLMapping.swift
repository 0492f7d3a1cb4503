import PilotCore
import Yams

/// The entries of a mapping, in file order, each with its key's mark; the one place unknown keys
/// get their "did you mean" and missing keys their location.
public struct YAMLMapping: Sendable {
    public struct Entry: @unchecked Sendable {
        public let key: String
        public let keyMark: Mark?
        public let value: YAMLValue
    }

    public let value: YAMLValue
    public let entries: [Entry]

    public subscript(key: String) -> YAMLValue? { entries.first { $0.key == key }?.value }
    public func has(_ key: String) -> Bool { entries.contains { $0.key == key } }
    public var keys: [String] { entries.map(\.key) }

    /// Rejects keys outside `allowed`, suggesting the closest allowed key, or saying where a key
    /// belongs when it is valid elsewhere (`elsewhere[key]` is that explanation).
    public func checkKeys<C: Collection>(allowed: C, elsewhere: [String: String] = [:]) throws(YAMLError) where C.Element == String {
        for e in entries where !allowed.contains(e.key) {
            throw YAMLError(.unknownKey, Self.unknownKey(e.key, allowed: allowed, elsewhere: elsewhere), file: value.file,
                            line: e.keyMark?.line, column: e.keyMark?.column, field: e.value.path)
        }
    }

    /// The one wording of an unknown key, with the nearest allowed key or the list of them.
    public static func unknownKey<C: Collection>(_ key: String, allowed: C, elsewhere: [String: String] = [:]) -> String
        where C.Element == String {
        var msg = "unknown key '\(key)'"
        if let owner = elsewhere[key] {
            msg += " (\(owner))"
        } else if let s = Suggestion.closest(to: key, in: allowed) {
            msg += " (did you mean '\(s)'?)"
        } else {
            msg += " (expected one of: \(allowed.sorted().joined(separator: ", ")))"
        }
        return msg
    }

    /// The value under `key`, or an error at the mapping's own key naming what is missing.
    public func required(_ key: String, what: String? = nil) throws(YAMLError) -> YAMLValue {
        guard let c = self[key] else {
            let field = value.path.isEmpty ? key : value.path + "." + key
            let m = value.keyMark ?? value.mark
            throw YAMLError(.missingField, "missing required field '\(key)'" + (what.map { " (\($0))" } ?? ""),
                            file: value.file, line: m?.line, column: m?.column, field: field)
        }
        return c
    }
}
