import Foundation
import PilotCore
import Yams

/// A tasks file (`pilot submit --file`, `pilot run`): a list of tasks, each a command with its request.
///
/// ```yaml
/// version: 1
/// defaults: {cores: 1, retries: 0}
/// tasks:
///   - name: hello
///     command: ["echo", "hello"]      # or a string, run with sh -c
///     cores: 2                        # gpus, mem: 2G, qpu: ideal-sim:1, custom: {license: 1}
///     time: 10s                       # expected runtime; time_limit: 1m; priority; retries; crash_limit
///     array: 1-100                    # {i} in the command and $PILOT_ARRAY_INDEX
///     env: {KEY: value}
///     cwd: /tmp
///     nodes: 2                        # gang task: ranks_per_node, cores_per_rank, gpus_per_rank
/// ```
public struct TaskFile: Sendable {
    public var submissions: [(spec: TaskSpec, array: String?)] = []

    static let maxBytes = 16 << 20

    public static func load(path: String) throws(TaskFileError) -> TaskFile {
        guard let data = FileManager.default.contents(atPath: path) else { throw TaskFileError(file: path, reason: "cannot read the file") }
        guard data.count <= maxBytes else { throw TaskFileError(file: path, reason: "file is \(data.count) bytes; the limit is \(maxBytes)") }
        guard let text = String(data: data, encoding: .utf8) else { throw TaskFileError(file: path, reason: "file is not UTF-8 text") }
        return try parse(text, file: path)
    }

    public static func parse(_ text: String, file: String) throws(TaskFileError) -> TaskFile {
        if let (l, c) = InputLimits.nestingViolation(in: text) {
            var e = TaskFileError(file: file, reason: "nested deeper than \(InputLimits.maxNesting) levels")
            e.line = l
            e.column = c
            throw e
        }
        let root: Node
        do {
            guard let n = try Yams.compose(yaml: text) else { throw TaskFileError(file: file, reason: "the file is empty") }
            root = n
        } catch let e as TaskFileError { throw e } catch let e as YamlError {
            throw TaskFileError(file: file, reason: "not valid YAML: \(String("\(e)".prefix(300)))")
        } catch { throw TaskFileError(file: file, reason: "not valid YAML: \(error)") }
        guard let top = root.mapping else { throw TaskFileError(file: file, node: root, field: "", reason: "the top level must be a mapping with `tasks:`") }
        var defaults: Node.Mapping?
        var tasks: Node.Sequence?
        for (k, v) in top {
            switch k.string ?? "" {
            case "version":
                guard v.int == 1 else { throw TaskFileError(file: file, node: v, field: "version", reason: "only version 1 is supported") }
            case "defaults":
                guard let m = v.mapping else { throw TaskFileError(file: file, node: v, field: "defaults", reason: "must be a mapping") }
                defaults = m
            case "tasks":
                guard let s = v.sequence else { throw TaskFileError(file: file, node: v, field: "tasks", reason: "must be a list of tasks") }
                tasks = s
            case "stages":
                throw TaskFileError(file: file, node: k, field: "stages", reason: "this is a workflow file; workflows are not supported by this command yet")
            default:
                throw TaskFileError(file: file, node: k, field: k.string ?? "?", reason: "unknown key (expected version, defaults, tasks)")
            }
        }
        guard let tasks, !tasks.isEmpty else { throw TaskFileError(file: file, node: root, field: "tasks", reason: "no tasks given") }
        var out = TaskFile()
        for (i, node) in tasks.enumerated() {
            guard let m = node.mapping else { throw TaskFileError(file: file, node: node, field: "tasks[\(i)]", reason: "each task must be a mapping") }
            var merged: [(String, Node, Node)] = []
            for (k, v) in defaults ?? [:] { merged.append((k.string ?? "", k, v)) }
            for (k, v) in m { merged.removeAll { $0.0 == (k.string ?? "") }; merged.append((k.string ?? "", k, v)) }
            out.submissions.append(try task(merged, file: file, field: "tasks[\(i)]", node: node))
        }
        return out
    }

    static func task(_ fields: [(String, Node, Node)], file: String, field: String, node: Node) throws(TaskFileError) -> (TaskSpec, String?) {
        var draft = TaskDraft()
        var array: String?
        for (name, keyNode, v) in fields {
            let f = "\(field).\(name)"
            guard TaskField.named(name) != nil else {
                throw TaskFileError(file: file, node: keyNode, field: f, reason: "unknown key" + Suggestion.hint(for: name, in: TaskField.names))
            }
            let value = try TaskFieldValue(yaml: v, file: file, field: f)
            do { try draft.set(name, value, path: f) } catch {
                throw TaskFileError(file: file, node: v, field: error.field ?? f, reason: error.message)
            }
            if name == "array", case .text(let s) = value { array = s }
            if name == "array", case .integer(let i) = value { array = String(i) }
        }
        do { return (try draft.build(prefix: field + "."), array) } catch {
            throw TaskFileError(file: file, node: node, field: error.field ?? field, reason: error.message)
        }
    }
}

/// A bad tasks file: which file, where, which field, and why.
public struct TaskFileError: Error, CustomStringConvertible, Sendable {
    public var file: String
    public var line: Int?
    public var column: Int?
    public var field: String?
    public var reason: String

    init(file: String, reason: String) { self.file = file; self.reason = reason }
    init(file: String, node: Node, field: String, reason: String) {
        self.file = file
        self.field = field.isEmpty ? nil : field
        self.reason = reason
        if let m = node.mark { line = m.line; column = m.column }
    }

    public var description: String {
        var s = file
        if let line { s += ":\(line)" + (column.map { ":\($0)" } ?? "") }
        if let field { s += ": \(field)" }
        return s + ": " + reason
    }
}
