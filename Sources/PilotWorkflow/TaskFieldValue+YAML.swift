import PilotCore
import Yams

extension TaskFieldValue {
    /// A scalar typed the one way every reader types YAML scalars.
    init(_ k: ScalarKind) {
        switch k {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .int(let i): self = .integer(i)
        case .double(let d): self = .number(d)
        case .string(let s): self = .text(s)
        }
    }

    /// A YAML node as the task-field table reads it: plain scalars keep their YAML type, quoted
    /// ones are text, a sequence is a list of strings, a mapping is entries of scalars.
    init(yaml node: Node, file: String, field: String) throws(TaskFileError) {
        switch node {
        case .scalar(let s): self = TaskFieldValue(ScalarKind(s))
        case .sequence(let seq):
            var items: [String] = []
            for (i, n) in seq.enumerated() {
                guard case .scalar(let s) = n else {
                    throw TaskFileError(file: file, node: n, field: "\(field)[\(i)]", reason: "must be a string")
                }
                items.append(s.string)
            }
            self = .list(items)
        case .mapping(let m):
            var entries: [TaskFieldEntry] = []
            for (k, v) in m {
                guard let key = k.string, case .scalar = v else {
                    throw TaskFileError(file: file, node: v, field: "\(field).\(k.string ?? "?")", reason: "must be a scalar")
                }
                entries.append(TaskFieldEntry(key: key, value: try TaskFieldValue(yaml: v, file: file, field: "\(field).\(key)")))
            }
            self = .map(entries)
        case .alias:
            throw TaskFileError(file: file, node: node, field: field, reason: "aliases are not supported")
        }
    }
}
