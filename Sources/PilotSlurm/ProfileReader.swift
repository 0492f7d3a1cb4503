import PilotCore
import PilotYAML
import Yams

/// The cluster profile's view of the shared YAML reader: the same type checks, duplicate-key and
/// unknown-key handling and wording as every other format, reported as `ProfileError`s naming the
/// dotted field and the line.
struct ProfileReader {
    let file: String

    func error(_ field: String, _ reason: String, at node: Node? = nil) -> ProfileError {
        ProfileError(file: file, field: field, reason: reason, line: node?.mark?.line, column: node?.mark?.column)
    }

    func value(_ node: Node, _ field: String) -> YAMLValue { YAMLValue(node: node, path: field, keyMark: nil, file: file) }

    func shared<T>(_ body: () throws(YAMLError) -> T) throws(ProfileError) -> T {
        do { return try body() } catch { throw ProfileError(error, file: file) }
    }

    /// Keys and values of a mapping in file order; non-string and duplicated keys are refused.
    func mapping(_ node: Node, _ field: String) throws(ProfileError) -> [(key: String, value: Node, keyNode: Node)] {
        _ = try shared { () throws(YAMLError) in try value(node, field).mapping() }
        guard case .mapping(let m) = node else { return [] }
        return m.map { (key: $0.key.string ?? "", value: $0.value, keyNode: $0.key) }
    }

    func rejectUnknown(_ key: String, keyNode: Node, field: String, known: [String]) throws(ProfileError) {
        throw error(field.isEmpty ? key : "\(field).\(key)", YAMLMapping.unknownKey(key, allowed: known), at: keyNode)
    }

    func string(_ node: Node, _ field: String, pattern: StringPattern? = nil) throws(ProfileError) -> String {
        try shared { () throws(YAMLError) in
            try value(node, field).line(pattern: pattern.map { p in { p.matches($0) } }, explanation: pattern?.explanation ?? "")
        }
    }

    func int(_ node: Node, _ field: String, in range: ClosedRange<Int>) throws(ProfileError) -> Int {
        try shared { () throws(YAMLError) in try value(node, field).int(range) }
    }

    func bool(_ node: Node, _ field: String) throws(ProfileError) -> Bool {
        try shared { () throws(YAMLError) in try value(node, field).bool() }
    }

    func list(_ node: Node, _ field: String) throws(ProfileError) -> [Node] {
        try shared { () throws(YAMLError) in try value(node, field).list(max: 100_000, nonEmpty: false).map(\.node) }
    }

    func kind(of node: Node) -> String { value(node, "").describe }
}

extension ProfileError {
    init(_ e: YAMLError, file: String) {
        self.init(file: e.file ?? file, field: e.field ?? "", reason: e.message, line: e.line, column: e.column)
    }
}
