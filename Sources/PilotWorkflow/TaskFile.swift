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
///     cores: 2                        # gpus, mem: 2G, qpu: ideal-sim:1, resources: {license: 1}
///     time: 10s                       # expected runtime; time_limit: 1m; priority; retries; crash_limit
///     array: 1-100                    # {i} in the command and $PILOT_ARRAY_INDEX
///     env: {KEY: value}
///     cwd: /tmp
///     nodes: 2                        # gang task: ranks_per_node, cores_per_rank, gpus_per_rank
/// ```
public struct TaskFile: Sendable {
    public var submissions: [(spec: TaskSpec, array: String?)] = []

    static let maxBytes = 16 << 20
    static let taskKeys: Set<String> = ["name", "command", "cores", "gpus", "mem", "qpu", "resources", "time", "time_limit",
                                        "priority", "retries", "crash_limit", "array", "env", "cwd", "nodes", "ranks_per_node",
                                        "cores_per_rank", "gpus_per_rank", "capture_output"]

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
        var spec = TaskSpec()
        var array: String?
        var cores = 1, gpus = 0, nodes = 1, ranks = 1
        var coresPerRank: Int?
        var gpusPerRank: Int?
        var mem: UInt64 = 0
        var custom: [String: Int] = [:]
        var qpu: QPUSelector?
        for (name, keyNode, v) in fields {
            let f = "\(field).\(name)"
            func err(_ reason: String) -> TaskFileError { TaskFileError(file: file, node: v, field: f, reason: reason) }
            func int(_ lo: Int, _ hi: Int) throws(TaskFileError) -> Int {
                guard let x = v.int else { throw err("must be an integer") }
                guard x >= lo, x <= hi else { throw err("must be between \(lo) and \(hi), got \(x)") }
                return x
            }
            func str() throws(TaskFileError) -> String {
                guard let s = v.string, v.scalar != nil else { throw err("must be a string") }
                return s
            }
            func core<T>(_ body: () throws(CoreError) -> T) throws(TaskFileError) -> T {
                do { return try body() } catch { throw err(error.message) }
            }
            switch name {
            case "name": spec.name = try str()
            case "command":
                if let s = v.sequence {
                    spec.command = try s.enumerated().map { (j, n) throws(TaskFileError) -> String in
                        guard let x = n.string, n.scalar != nil else { throw TaskFileError(file: file, node: n, field: "\(f)[\(j)]", reason: "must be a string") }
                        return x
                    }
                } else if let s = v.string, v.scalar != nil {
                    spec.command = ["/bin/sh", "-c", s]
                } else { throw err("must be a list of strings or a shell command string") }
            case "cores": cores = try int(0, 65_536)
            case "gpus": gpus = try int(0, 1024)
            case "nodes": nodes = try int(1, 100_000)
            case "ranks_per_node": ranks = try int(1, 4096)
            case "cores_per_rank": coresPerRank = try int(0, 65_536)
            case "gpus_per_rank": gpusPerRank = try int(0, 1024)
            case "mem": let s = try str(); mem = try core { () throws(CoreError) in try Quantity.bytes(s, field: f) }
            case "qpu": let s = try str(); qpu = try core { () throws(CoreError) in try QPUSelector(parsing: s) }
            case "resources":
                guard let m = v.mapping else { throw err("must be a mapping NAME: N") }
                for (rk, rv) in m {
                    guard let k = rk.string, let n = rv.int else {
                        throw TaskFileError(file: file, node: rv, field: "\(f).\(rk.string ?? "?")", reason: "must be an integer amount")
                    }
                    custom[k] = n
                }
            case "time": let s = try str(); spec.timeRequest = try core { () throws(CoreError) in try Quantity.seconds(s, field: f) }
            case "time_limit": let s = try str(); spec.timeLimit = try core { () throws(CoreError) in try Quantity.seconds(s, field: f) }
            case "priority": spec.priority = try int(-1_000_000, 1_000_000)
            case "retries": spec.retries = try int(0, 1000)
            case "crash_limit": spec.crashLimit = try int(1, 1000)
            case "array":
                let s = try str()
                _ = try core { () throws(CoreError) in try ArrayRange(s) }
                array = s
            case "env":
                guard let m = v.mapping else { throw err("must be a mapping KEY: value") }
                for (ek, ev) in m {
                    guard let k = ek.string, let x = ev.string else { throw TaskFileError(file: file, node: ev, field: "\(f).\(ek.string ?? "?")", reason: "must be a string") }
                    spec.environment[k] = x
                }
            case "cwd": spec.workingDirectory = try str()
            case "capture_output":
                guard let b = v.bool else { throw err("must be true or false") }
                spec.captureOutput = b
            default:
                let hint = Suggestion.closest(to: name, in: taskKeys).map { " (did you mean '\($0)'?)" } ?? ""
                throw TaskFileError(file: file, node: keyNode, field: f, reason: "unknown key\(hint)")
            }
        }
        spec.request = ResourceRequest(cores: coresPerRank ?? cores, gpus: gpusPerRank ?? gpus, memoryBytes: mem, nodes: nodes,
                                       ranksPerNode: ranks, custom: custom, qpu: qpu)
        do { try spec.validate() } catch {
            throw TaskFileError(file: file, node: node, field: error.field.map { "\(field).\($0)" } ?? field, reason: error.message)
        }
        return (spec, array)
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
