import Foundation
import PilotCore
import PilotYAML

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

    static let limits = YAMLLimits(maxBytes: 16 << 20, maxDepth: InputLimits.maxNesting)
    static let topKeys = ["version", "defaults", "tasks"]

    public static func load(path: String) throws(TaskFileError) -> TaskFile {
        try read(path) { () throws(YAMLError) in try YAMLDocument.load(path: path, limits: limits) }
    }

    public static func parse(_ text: String, file: String) throws(TaskFileError) -> TaskFile {
        try read(file) { () throws(YAMLError) in try YAMLDocument.parse(text, file: file, limits: limits) }
    }

    private static func read(_ file: String, _ document: () throws(YAMLError) -> YAMLValue) throws(TaskFileError) -> TaskFile {
        do {
            let root = try document()
            guard case .mapping = root.node else { throw root.fail(.notMapping, "the top level must be a mapping with `tasks:`") }
            let top = try root.mapping()
            if let stages = top.entries.first(where: { $0.key == "stages" }) {
                throw YAMLError(.unknownKey, "this is a workflow file; submit it with `pilot workflow submit` or `pilot run`",
                                file: file, line: stages.keyMark?.line, column: stages.keyMark?.column, field: "stages")
            }
            try top.checkKeys(allowed: topKeys)
            if let v = top["version"], try v.int() != 1 { throw v.fail(.invalidValue, "only version 1 is supported") }
            let defaults = try top["defaults"]?.mapping()
            let tasks = try top.required("tasks", what: "a list of tasks").list(max: 1_000_000)
            var out = TaskFile()
            for t in tasks {
                guard case .mapping = t.node else { throw t.wrongType(expected: "a task (a mapping)") }
                var merged: [YAMLMapping.Entry] = defaults?.entries ?? []
                for e in try t.mapping().entries {
                    merged.removeAll { $0.key == e.key }
                    merged.append(e)
                }
                out.submissions.append(try task(merged, at: t))
            }
            return out
        } catch let e as YAMLError {
            throw TaskFileError(e)
        } catch let e as TaskFileError {
            throw e
        } catch {
            throw TaskFileError(file: file, reason: "\(error)")
        }
    }

    static func task(_ fields: [YAMLMapping.Entry], at node: YAMLValue) throws -> (TaskSpec, String?) {
        var draft = TaskDraft()
        var array: String?
        for e in fields {
            // A default's path names where it is written, a task's own key where the task is.
            let f = node.path + "." + e.key
            guard TaskField.named(e.key) != nil else {
                throw YAMLError(.unknownKey, "unknown key '\(e.key)'" + Suggestion.hint(for: e.key, in: TaskField.names),
                                file: node.file, line: e.keyMark?.line, column: e.keyMark?.column, field: f)
            }
            let value = try e.value.taskFieldValue()
            do { try draft.set(e.key, value, path: f) } catch {
                throw e.value.fail(.invalidValue, error.message).at(field: error.field ?? f)
            }
            if e.key == "array", case .text(let s) = value { array = s }
            if e.key == "array", case .integer(let i) = value { array = String(i) }
        }
        do { return (try draft.build(prefix: node.path + "."), array) } catch {
            throw node.fail(.invalidValue, error.message).at(field: error.field ?? node.path)
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
    init(_ e: YAMLError) {
        file = e.file ?? "<tasks file>"
        line = e.line
        column = e.column
        field = e.field
        reason = e.message
    }

    public var description: String {
        var s = file
        if let line { s += ":\(line)" + (column.map { ":\($0)" } ?? "") }
        if let field { s += ": \(field)" }
        return s + ": " + reason
    }
}
