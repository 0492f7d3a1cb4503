/// A cluster profile (or an override of one) that cannot be used. Names the
/// file, the dotted field path and, when the YAML parser knows it, the line.
public struct ProfileError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    /// Dotted path such as `agent.heartbeat_interval` or `qpu_devices[1].slots`;
    /// empty when the whole document is at fault.
    public var field: String
    public var reason: String
    public var line: Int?
    public var column: Int?

    public init(file: String, field: String, reason: String, line: Int? = nil, column: Int? = nil) {
        self.file = file
        self.field = field
        self.reason = reason
        self.line = line
        self.column = column
    }

    public var description: String {
        var location = file
        if let line {
            location += ":\(line)"
            if let column { location += ":\(column)" }
        }
        return field.isEmpty ? "\(location): \(reason)" : "\(location): field '\(field)': \(reason)"
    }
}
