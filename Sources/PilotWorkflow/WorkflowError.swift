import PilotCore

/// Everything that can be wrong with a workflow file or with driving one: a code for programs,
/// a message for people, and where it happened (file, line, column, dotted field path) when known.
public struct WorkflowError: Error, Sendable, Equatable, CustomStringConvertible {
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
        case unsupportedVersion = "unsupported_version"
        case unknownMotif = "unknown_motif"
        case unknownStage = "unknown_stage"
        case cycle
        case tooManyTasks = "too_many_tasks"
        case unknownTemplateVariable = "unknown_template_variable"
        case invalidEvent = "invalid_event"
        case driverFailed = "driver_failed"
    }

    public var code: Code
    public var message: String
    public var file: String?
    public var line: Int?
    public var column: Int?
    /// Dotted path of the offending field, e.g. `stages.prep.sweep.theta` or `stages.s.steps[1].command`.
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
        var location = file ?? ""
        if let line {
            location += location.isEmpty ? "line \(line)" : ":\(line)"
            if let column { location += ":\(column)" }
        }
        var parts: [String] = []
        if !location.isEmpty { parts.append(location) }
        if let field, !field.isEmpty { parts.append(field) }
        parts.append(message)
        return parts.joined(separator: ": ")
    }
}

extension WorkflowError {
    /// Lifts a core validation error into this area, keeping the position of the value that caused it.
    init(_ core: CoreError, file: String?, line: Int?, column: Int?, field: String) {
        self.init(.invalidValue, core.message, file: file, line: line, column: column, field: field)
    }
}
