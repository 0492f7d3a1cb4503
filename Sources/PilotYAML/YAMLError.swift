/// The one located error every YAML format reports: which file, where, which field, and why.
/// Format readers (workflows, tasks files, cluster and device profiles) turn it into their own
/// area's error without changing the text, so a user sees the same message for the same mistake.
public struct YAMLError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, Codable {
        case syntax
        case empty
        case tooLarge = "too_large"
        case tooDeep = "too_deep"
        case notMapping = "not_mapping"
        case duplicateKey = "duplicate_key"
        case unknownKey = "unknown_key"
        case wrongType = "wrong_type"
        case missingField = "missing_field"
        case invalidValue = "invalid_value"
    }

    public var code: Code
    public var message: String
    public var file: String?
    public var line: Int?
    public var column: Int?
    /// Dotted path of the offending field, e.g. `stages.prep.sweep.theta` or `tasks[2].cores`.
    public var field: String?

    public init(_ code: Code, _ message: String, file: String? = nil, line: Int? = nil, column: Int? = nil,
                field: String? = nil) {
        self.code = code
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        self.field = field
    }

    /// `file:line:column: field: message`, leaving out what is unknown.
    public var description: String {
        var s = file ?? "<input>"
        if let line { s += ":\(line)" + (column.map { ":\($0)" } ?? "") }
        if let field, !field.isEmpty { s += ": \(field)" }
        return s + ": " + message
    }
}
