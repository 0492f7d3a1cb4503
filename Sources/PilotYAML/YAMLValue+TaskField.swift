import PilotCore

extension YAMLValue {
    /// The value as the task-field table reads it: plain scalars keep their YAML type, quoted ones
    /// are text, a list is a list of strings, a mapping is entries of scalars.
    public func taskFieldValue() throws(YAMLError) -> TaskFieldValue {
        switch scalar {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .integer(i)
        case .double(let d): return .number(d)
        case .string(let s): return .text(s)
        case nil: break
        }
        switch node {
        case .sequence:
            var items: [String] = []
            for item in try list(max: 100_000, nonEmpty: false) {
                guard case .scalar = item.node else { throw item.fail(.wrongType, "must be a string") }
                items.append(try item.string(allowEmpty: true))
            }
            return .list(items)
        case .mapping:
            var entries: [TaskFieldEntry] = []
            for e in try mapping().entries {
                guard case .scalar = e.value.node else { throw e.value.fail(.wrongType, "must be a scalar") }
                entries.append(TaskFieldEntry(key: e.key, value: try e.value.taskFieldValue()))
            }
            return .map(entries)
        default:
            throw fail(.wrongType, "aliases are not supported")
        }
    }
}

extension YAMLError {
    /// The same error, naming a more precise field (one a validator found inside the value).
    public func at(field: String) -> YAMLError {
        var e = self
        e.field = field
        return e
    }
}
