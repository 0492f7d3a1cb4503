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
    @OptionGroup var quantum: QuantumOptions
    @Flag(help: "Print the ids as JSON.") var json = false
    @Argument(parsing: .captureForPassthrough, help: "The command and its arguments (after --).") var command: [String] = []

    func run() async throws {
        let client = try server.client()
        var reqs: [SubmitRequest] = []
        let positionalFile = command.count == 1 && (command[0].hasSuffix(".yaml") || command[0].hasSuffix(".yml")) ? command[0] : nil
        if let f = file ?? positionalFile, isWorkflowFile(f) {
            do {
                let w = try await submitWorkflowFile(f, client: client)
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

/// The resource-request flags shared by `submit` and `bench`.
struct RequestOptions: ParsableArguments {
    @Option(help: "Cores per task (per rank for multi-node tasks).") var cores = 1
    @Option(help: "GPUs per task (per rank for multi-node tasks).") var gpus = 0
    @Option(help: "QPU-proxy slots: DEVICE:N, any:N or any:qubits>=Q:N.") var qpu: String?
    @Option(help: "Memory per node, e.g. 2G.") var mem: String?
    @Option(help: "User-defined resource NAME=N (repeatable).") var resource: [String] = []
    @Option(help: "Nodes for a multi-node (gang) task.") var nodes = 1
    @Option(help: "Ranks per node for a multi-node task.") var ranksPerNode = 1
    @Option(help: "Cores per rank (multi-node).") var coresPerRank: Int?
    @Option(help: "GPUs per rank (multi-node).") var gpusPerRank: Int?
    @Option(help: "Expected runtime, e.g. 10m (keeps the task off pilots ending sooner).") var time: String?
    @Option(help: "Hard limit, e.g. 20m: TERM, then KILL.") var timeLimit: String?
    @Option(help: "Higher runs first.") var priority = 0
    @Option(help: "Retries after a failed attempt.") var retries = 0
    @Option(help: "Fail a task after its agent died this many times while running it.") var crashLimit = 3
    @Option(help: "Task array, e.g. 1-1000 or 0-99:2; {i} and $PILOT_ARRAY_INDEX take the index.") var array: String?
    @Option(help: "Task name.") var name: String?
    @Option(help: "Working directory.") var cwd: String?
    @Option(help: "Environment KEY=VALUE (repeatable).") var env: [String] = []
    @Flag(help: "Do not keep stdout/stderr files.") var noOutput = false

    func spec(command: [String]) throws -> TaskSpec {
        var s = TaskSpec(name: name, command: command)
        do {
            let custom = try ResourceRequest.parseCustom(resource)
            s.request = ResourceRequest(cores: coresPerRank ?? cores, gpus: gpusPerRank ?? gpus,
                                        memoryBytes: try mem.map { m throws(CoreError) in try Quantity.bytes(m) } ?? 0,
                                        nodes: nodes, ranksPerNode: ranksPerNode, custom: custom,
                                        qpu: try qpu.map { q throws(CoreError) in try QPUSelector(parsing: q) })
            s.timeRequest = try time.map { t throws(CoreError) in try Quantity.seconds(t, field: "time") }
            s.timeLimit = try timeLimit.map { t throws(CoreError) in try Quantity.seconds(t, field: "time-limit") }
            if let a = array { _ = try ArrayRange(a) }
        } catch { throw ValidationError(error.description) }
        s.priority = priority
        s.retries = retries
        s.crashLimit = crashLimit
        s.workingDirectory = cwd
        s.captureOutput = !noOutput
        for e in env {
            let kv = e.split(separator: "=", maxSplits: 1)
            guard kv.count == 2 else { throw ValidationError("--env must be KEY=VALUE, got '\(e)'") }
            s.environment[String(kv[0])] = String(kv[1])
        }
        do { try s.validate() } catch { throw ValidationError(error.description) }
        return s
    }
}
