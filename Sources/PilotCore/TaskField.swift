/// One setting of a task as users write it: the single table the CLI flags, tasks files, workflow
/// stages and the JSON API are all derived from, so a concept has one name, one range, one unit
/// and one error message wherever it is spelled.
///
/// Names are snake_case in files and JSON and kebab-case as flags (`time_limit`, `--time-limit`).
/// Bare numbers follow Slurm: durations in minutes, sizes in MiB; explicit units always work.
public struct TaskField: Sendable, Hashable {
    public enum ValueType: Sendable, Hashable {
        case integer(ClosedRange<Int>)
        /// Seconds once parsed; a bare number is minutes.
        case duration
        /// Bytes once parsed; a bare number is MiB.
        case size
        case text
        case bool
        /// argv as a list of strings, or one string run with `sh -c`.
        case command
        /// `DEVICE:N`, `any:N` or `any:qubits>=Q:N`.
        case qpu
        /// NAME → integer amount (`NAME=N` on the command line).
        case amounts
        /// NAME → string (`NAME=VALUE` on the command line).
        case variables
        /// An index range: `1-100`, `0-99:2`, `7`.
        case range
        /// Task ids: `3,4,9` on the command line, a list elsewhere.
        case ids
    }

    /// The key in files and JSON.
    public let name: String
    public let type: ValueType
    /// The default as users should read it in help and docs; nil when unset means "none".
    public let defaultText: String?
    public let help: String

    /// The command-line spelling.
    public var flag: String { "--" + name.replacingOccurrences(of: "_", with: "-") }

    /// Whether a flag of this field may be given more than once (each adds an entry).
    public var repeatable: Bool {
        switch type { case .amounts, .variables: true; default: false }
    }

    /// The unit line of the README's table and of `--help`.
    public var typeText: String {
        switch type {
        case .integer(let r): "integer \(r.lowerBound)…\(r.upperBound)"
        case .duration: "duration (bare number: minutes; 90s, 10m, 1h30m, 1:30:00)"
        case .size: "size (bare number: MiB; 512M, 2G)"
        case .text: "string"
        case .bool: "true or false"
        case .command: "list of strings, or a string run with sh -c"
        case .qpu: "DEVICE:N, any[:qubits>=Q]:N or auto[:fastest|fidelity|balanced]"
        case .amounts: "mapping NAME: N (flag: NAME=N, repeatable)"
        case .variables: "mapping NAME: value (flag: NAME=VALUE, repeatable)"
        case .range: "range 1-100, 0-99:2"
        case .ids: "task ids (flag: 3,4,9)"
        }
    }
}

/// A value as a format hands it over, before the table checks it: YAML and JSON give typed
/// scalars, the command line gives text; the table accepts either where the type allows.
public enum TaskFieldValue: Sendable, Hashable {
    case integer(Int)
    case number(Double)
    case text(String)
    case bool(Bool)
    case list([String])
    case map([TaskFieldEntry])
    case null

    /// How the value reads in an error message.
    public var described: String {
        switch self {
        case .integer(let i): "\(i)"
        case .number(let d): "\(d)"
        case .text(let s): "'\(s.count > 60 ? String(s.prefix(60)) + "…" : s)'"
        case .bool(let b): "\(b)"
        case .list: "a list"
        case .map: "a mapping"
        case .null: "nothing (null)"
        }
    }
}

public struct TaskFieldEntry: Sendable, Hashable {
    public var key: String
    public var value: TaskFieldValue
    public init(key: String, value: TaskFieldValue) { self.key = key; self.value = value }
}

extension TaskField {
    /// Every field a task has, in the order the docs list them.
    public static let all: [TaskField] = [
        TaskField(name: "name", type: .text, defaultText: nil, help: "Task name; `{i}` takes the array index."),
        TaskField(name: "command", type: .command, defaultText: nil, help: "What runs: argv, or a shell string."),
        TaskField(name: "cores", type: .integer(0...65_536), defaultText: "1", help: "Cores per task (per rank for a multi-node task)."),
        TaskField(name: "gpus", type: .integer(0...1024), defaultText: "0", help: "GPUs per task (per rank for a multi-node task)."),
        TaskField(name: "mem", type: .size, defaultText: nil, help: "Memory per node."),
        TaskField(name: "qpu", type: .qpu, defaultText: nil, help: "QPU-proxy slots."),
        TaskField(name: "custom", type: .amounts, defaultText: nil, help: "User-defined resources an agent offers (licenses, …)."),
        TaskField(name: "pilot", type: .text, defaultText: nil, help: "Run only on agents of this pilot (its id, as `pilot pilots list` and agents' `--pilot-id` show it)."),
        TaskField(name: "nodes", type: .integer(1...100_000), defaultText: "1", help: "Nodes for a multi-node (gang) task."),
        TaskField(name: "ranks_per_node", type: .integer(1...4096), defaultText: "1", help: "Ranks per node for a multi-node task."),
        TaskField(name: "cores_per_rank", type: .integer(0...65_536), defaultText: nil, help: "Cores per rank (overrides cores)."),
        TaskField(name: "gpus_per_rank", type: .integer(0...1024), defaultText: nil, help: "GPUs per rank (overrides gpus)."),
        TaskField(name: "time", type: .duration, defaultText: nil, help: "Expected runtime: keeps the task off pilots whose walltime ends sooner."),
        TaskField(name: "time_limit", type: .duration, defaultText: nil, help: "Hard limit: TERM, then KILL."),
        TaskField(name: "priority", type: .integer(-1_000_000...1_000_000), defaultText: "0", help: "Higher runs first."),
        TaskField(name: "retries", type: .integer(0...1000), defaultText: "0", help: "Retries after a failed attempt."),
        TaskField(name: "crash_limit", type: .integer(1...1000), defaultText: "3", help: "Fail the task after its agent died this many times while running it."),
        TaskField(name: "array", type: .range, defaultText: nil, help: "Task array: `{i}` and $PILOT_ARRAY_INDEX take each index."),
        TaskField(name: "env", type: .variables, defaultText: nil, help: "Environment variables."),
        TaskField(name: "cwd", type: .text, defaultText: nil, help: "Working directory."),
        TaskField(name: "capture_output", type: .bool, defaultText: "true", help: "Keep stdout and stderr in files (off for throughput runs)."),
        TaskField(name: "after", type: .ids, defaultText: nil, help: "Tasks that must end first."),
        TaskField(name: "after_ok", type: .bool, defaultText: "false", help: "With after: start only if they all succeeded (else fail)."),
    ]

    public static let names: [String] = all.map(\.name)

    public static func named(_ name: String) -> TaskField? { byName[name] }
    private static let byName: [String: TaskField] = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })

    /// The error for a key no task has, with the nearest one.
    public static func unknown(_ key: String, path: String? = nil, among known: [String] = names) -> CoreError {
        CoreError(.invalidRequest, "unknown key '\(key)'" + Suggestion.hint(for: key, in: known), field: path ?? key)
    }
}
