import ArgumentParser
import Foundation
import PilotCore
import PilotProtocol
import PilotWorkflow

struct SubmitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit", abstract: "Submit tasks to the manager: a command, an array, or a tasks file.",
        discussion: "Example: pilot submit --cores 2 --array 1-100 -- ./simulate --seed {i}")

    @OptionGroup var server: ServerOptions
    @OptionGroup var request: RequestOptions
    @Option(help: "A tasks file or a workflow file (YAML) instead of a command.") var file: String?
    @Option(help: "A workflow's directory for its stages' outputs (default: <server dir>/workflows/ID).") var dir: String?
    @OptionGroup var quantum: QuantumOptions
    @Flag(help: "Print the ids as JSON.") var json = false
    @Argument(parsing: .captureForPassthrough, help: "The command and its arguments (after --).") var command: [String] = []

    func run() async throws {
        if helpRequested(in: command) { throw CleanExit.helpRequest(self) }
        // Captured arguments swallow flags this command does not know; before any program name
        // they are a mistake, not the task's command.
        if let first = command.first, first.hasPrefix("-"), first != "--" {
            let known = TaskField.all.map(\.flag) + ["--file", "--dir", "--circuit", "--shots", "--observable", "--seed", "--json", "--server-dir"]
            throw ValidationError("unknown option '\(first)'" + Suggestion.hint(for: first, in: known)
                                  + "; a command starting with '-' goes after --")
        }
        var reqs: [SubmitRequest] = []
        let positionalFile = command.count == 1 && (command[0].hasSuffix(".yaml") || command[0].hasSuffix(".yml")) ? command[0] : nil
        if let f = file ?? positionalFile, isWorkflowFile(f) {
            do {
                let w = try await submitWorkflowFile(f, dir: dir, client: try server.client())
                if json { try printJSON(w) } else { print("submitted workflow \(w.id) (\(w.stages.count) stages); follow it with `pilot status --workflow \(w.id)`") }
            } catch { fail(error) }
            return
        }
        if let circuit = quantum.circuit {
            let spec = try quantum.spec(circuit: circuit, request: request)
            reqs = [request.array.map { SubmitRequest(array: ArraySubmission(template: spec, range: $0)) } ?? SubmitRequest(tasks: [spec])]
        } else if let f = file ?? positionalFile {
            do { reqs = try TaskFile.load(path: f).requests } catch { fail(error) }
        } else {
            let cmd = command.first == "--" ? Array(command.dropFirst()) : command
            guard !cmd.isEmpty else { throw ValidationError("give a command after --, or --file") }
            let spec = try request.spec(command: cmd)
            reqs = [request.array.map { SubmitRequest(array: ArraySubmission(template: spec, range: $0)) } ?? SubmitRequest(tasks: [spec])]
        }
        // Input is checked before the manager is asked, so a typo is a usage error even without one.
        let client = try server.client()
        var all: [SubmitResponse] = []
        for r in reqs {
            do { all.append(try await client.submit(r)) } catch { fail(error) }
        }
        if json { try printJSON(all); return }
        for r in all {
            if let ids = r.ids { print(ids.count == 1 ? "submitted task \(ids.lowerBound)" : "submitted tasks \(ids.lowerBound)-\(ids.upperBound) (\(ids.count))") }
        }
    }
}

/// The task fields as flags, shared by `submit` and `bench`: names, help and parsing all come from
/// `TaskField.all`, so a flag reads exactly like the key of a tasks file or a JSON task.
struct RequestOptions: ParsableArguments {
    @Option(help: .field("cores")) var cores: String?
    @Option(help: .field("gpus")) var gpus: String?
    @Option(help: .field("qpu")) var qpu: String?
    @Option(help: .field("mem")) var mem: String?
    @Option(help: .field("custom")) var custom: [String] = []
    @Option(help: .field("pilot")) var pilot: String?
    @Option(help: .field("nodes")) var nodes: String?
    @Option(help: .field("ranks_per_node")) var ranksPerNode: String?
    @Option(help: .field("cores_per_rank")) var coresPerRank: String?
    @Option(help: .field("gpus_per_rank")) var gpusPerRank: String?
    @Option(help: .field("time")) var time: String?
    @Option(help: .field("time_limit")) var timeLimit: String?
    @Option(help: .field("priority")) var priority: String?
    @Option(help: .field("retries")) var retries: String?
    @Option(help: .field("crash_limit")) var crashLimit: String?
    @Option(help: .field("array")) var array: String?
    @Option(help: .field("name")) var name: String?
    @Option(help: .field("cwd")) var cwd: String?
    @Option(help: .field("env")) var env: [String] = []
    @Flag(inversion: .prefixedNo, help: .field("capture_output")) var captureOutput: Bool?
    @Option(help: .field("after")) var after: String?
    @Flag(help: .field("after_ok")) var afterOk = false

    /// The flags given, as field values.
    var given: [(String, TaskFieldValue)] {
        var out: [(String, TaskFieldValue)] = []
        let scalars: [(String, String?)] = [("cores", cores), ("gpus", gpus), ("qpu", qpu), ("mem", mem), ("pilot", pilot), ("nodes", nodes),
                                            ("ranks_per_node", ranksPerNode), ("cores_per_rank", coresPerRank),
                                            ("gpus_per_rank", gpusPerRank), ("time", time), ("time_limit", timeLimit),
                                            ("priority", priority), ("retries", retries), ("crash_limit", crashLimit),
                                            ("array", array), ("name", name), ("cwd", cwd), ("after", after)]
        for (k, v) in scalars { if let v { out.append((k, .text(v))) } }
        if let c = captureOutput { out.append(("capture_output", .bool(c))) }
        if afterOk { out.append(("after_ok", .bool(true))) }
        if !custom.isEmpty { out.append(("custom", .list(custom))) }
        if !env.isEmpty { out.append(("env", .list(env))) }
        return out
    }

    /// The draft of a task from these flags, before a command or payload is added.
    func draft() throws -> TaskDraft {
        var d = TaskDraft()
        do {
            for (k, v) in given { try d.set(k, v, path: TaskField.named(k)!.flag) }
        } catch { throw ValidationError(error.description) }
        return d
    }

    func spec(command: [String]) throws -> TaskSpec {
        var d = try draft()
        d.spec.command = command
        do { return try d.build() } catch { throw ValidationError(error.description) }
    }
}

extension ArgumentHelp {
    /// A flag's help from the task-field table: what it is, its unit, its default.
    static func field(_ name: String) -> ArgumentHelp {
        let f = TaskField.named(name)!
        var text = f.help + " [\(f.typeText)]"
        if let d = f.defaultText { text += " (default: \(d))" }
        return ArgumentHelp(stringLiteral: text)
    }
}
