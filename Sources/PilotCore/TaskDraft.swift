/// A task being assembled from fields in any order, by any format: the one place field values
/// become a `TaskSpec`. Tasks files layer `defaults` under each task by setting the defaults first.
public struct TaskDraft: Sendable {
    public var spec = TaskSpec()
    public var array: ArrayRange?
    private var cores: Int?
    private var gpus: Int?
    private var coresPerRank: Int?
    private var gpusPerRank: Int?
    private var mem: UInt64?
    private var nodes: Int?
    private var ranksPerNode: Int?
    private var qpu: QPUSelector?
    private var custom: [String: Int]?
    private var pilot: String?
    /// Which fields were set, to refuse one given twice by the same source.
    public private(set) var given: Set<String> = []

    public init() {}

    /// Sets field `name` from `value`; `path` is where the user wrote it.
    public mutating func set(_ name: String, _ value: TaskFieldValue, path: String? = nil) throws(CoreError) {
        let path = path ?? name
        guard let f = TaskField.named(name) else { throw TaskField.unknown(name, path: path) }
        if case .null = value { return }
        given.insert(name)
        switch name {
        case "name": spec.name = try f.text(value, path: path)
        case "command": spec.command = try f.command(value, path: path)
        case "cores": cores = try f.integer(value, path: path)
        case "gpus": gpus = try f.integer(value, path: path)
        case "mem": mem = try f.bytes(value, path: path)
        case "qpu": qpu = try f.qpu(value, path: path)
        case "custom": custom = try f.amounts(value, path: path)
        case "pilot": pilot = try f.text(value, path: path)
        case "nodes": nodes = try f.integer(value, path: path)
        case "ranks_per_node": ranksPerNode = try f.integer(value, path: path)
        case "cores_per_rank": coresPerRank = try f.integer(value, path: path)
        case "gpus_per_rank": gpusPerRank = try f.integer(value, path: path)
        case "time": spec.timeRequest = try f.seconds(value, path: path)
        case "time_limit":
            let s = try f.seconds(value, path: path)
            guard s > 0 else { throw CoreError(.invalidRequest, "must be > 0", field: path) }
            spec.timeLimit = s
        case "priority": spec.priority = try f.integer(value, path: path)
        case "retries": spec.retries = try f.integer(value, path: path)
        case "crash_limit": spec.crashLimit = try f.integer(value, path: path)
        case "array": array = try f.range(value, path: path)
        case "env":
            // Environments merge by name, so a task's own env keeps the defaults it does not override.
            for (k, v) in try f.variables(value, path: path) { spec.environment[k] = v }
        case "cwd": spec.workingDirectory = try f.text(value, path: path)
        case "capture_output": spec.captureOutput = try f.bool(value, path: path)
        case "after": spec.after = try f.ids(value, path: path)
        case "after_ok": spec.afterOk = try f.bool(value, path: path)
        default: preconditionFailure("field \(name) is in the table but not handled")
        }
    }

    /// The spec, checked. `prefix` goes before the field in an error (`tasks[2].`).
    public func build(prefix: String = "") throws(CoreError) -> TaskSpec {
        var s = spec
        s.request = ResourceRequest(cores: coresPerRank ?? cores ?? 1, gpus: gpusPerRank ?? gpus ?? 0,
                                    memoryBytes: mem ?? 0, nodes: nodes ?? 1, ranksPerNode: ranksPerNode ?? 1,
                                    custom: custom ?? [:], qpu: qpu, pilot: pilot)
        if s.kind == .command, s.command.isEmpty, s.payload == nil {
            throw CoreError(.invalidRequest, "a task needs a command", field: prefix + "command")
        }
        do { try s.validate() } catch { throw CoreError(error.code, error.message, field: error.field.map { prefix + $0 } ?? String(prefix.dropLast())) }
        return s
    }
}
