import ArgumentParser
import Foundation
import PilotCore
import PilotProtocol

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show tasks: one in detail, or a table.")
    @OptionGroup var server: ServerOptions
    @Argument(help: "A task id.") var id: Int64?
    @Option(help: "Only tasks in this state.") var state: String?
    @Option(help: "Show a workflow as a tree of stages, workloads and task progress.") var workflow: Int64?
    @Option(help: "At most this many rows (newest first).") var limit = 50
    @Option(help: "Page on: only tasks with an id below this one (the last id of the previous page).") var before: Int64?
    @Flag var json = false

    func run() async throws {
        let client = try server.client()
        do {
            if let w = workflow {
                let info = try await client.workflow(w)
                if json { try printJSON(info) } else { print(renderWorkflowTree(info)) }
                return
            }
            if let id {
                let t = try await client.task(id)
                if json { try printJSON(t); return }
                printDetail(t)
                return
            }
            let st = try state.map { s -> TaskState in
                guard let v = TaskState(rawValue: s) else { throw ValidationError("unknown state '\(s)'") }
                return v
            }
            let list = try await client.tasks(state: st, limit: limit, newestFirst: true, before: before)
            if json { try printJSON(list); return }
            var t = Table(header: ["ID", "NAME", "STATE", "ATTEMPT", "HOST", "EXIT", "STARTED", "ENDED", "REASON"])
            for x in list {
                t.rows.append([String(x.id), x.name ?? "-", x.state.rawValue, String(x.attempt), x.hostname ?? "-",
                               x.exitCode.map(String.init) ?? x.signal.map { "sig\($0)" } ?? "-", formatTime(x.startedAt),
                               formatTime(x.endedAt), x.reason ?? ""])
            }
            print(t.render())
            if list.count == limit, let last = list.last { print("(more: pilot status --before \(last.id))") }
            let s = try await client.summary()
            print("\n" + TaskState.allCases.map { "\($0.rawValue)=\(s.count($0))" }.joined(separator: " "))
        } catch let e as ValidationError { throw e } catch { fail(error) }
    }

    func printDetail(_ t: TaskInfo) {
        print("task \(t.id)\(t.name.map { " (\($0))" } ?? ""): \(t.state.rawValue)")
        if let r = t.reason { print("  reason:    \(r)") }
        print("  attempt:   \(t.attempt)  crashes: \(t.crashes)")
        if let c = t.spec?.command { print("  command:   \(c.joined(separator: " "))") }
        if let h = t.hostname { print("  host:      \(h) (agent \(t.agent ?? 0))") }
        if let b = t.binding {
            for p in b.placements { print("  cores:     \(p.cores.map(String.init).joined(separator: ","))  gpus: \(p.gpus.map(String.init).joined(separator: ","))") }
            if let q = b.qpu { print("  qpu:       \(q.device) slots \(q.slots)") }
        }
        if let e = t.exitCode { print("  exit code: \(e)") }
        if let s = t.signal { print("  signal:    \(s)") }
        print("  submitted: \(formatTime(t.submittedAt))  started: \(formatTime(t.startedAt))  ended: \(formatTime(t.endedAt))")
        if let s = t.startedAt, let e = t.endedAt { print("  runtime:   \(formatDuration(e - s))") }
        if let r = t.result { print("  result:    \(r)") }
        for h in t.history ?? [] { print("  history:   \(formatTime(h.at)) → \(h.state.rawValue) (attempt \(h.attempt)) \(h.reason ?? "")") }
        if let o = t.stdoutPath { print("  stdout:    \(o)") }
    }
}

struct WaitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "wait", abstract: "Wait until tasks (default: all) end; exit 1 if any failed.")
    @OptionGroup var server: ServerOptions
    @Argument(help: "Task ids (ranges like 5-10 allowed).") var ids: [String] = []
    @Flag(help: "Print the final counts as JSON instead of a progress bar.") var json = false

    func run() async throws {
        let client = try server.client()
        var list: [Int64] = []
        for s in ids {
            let r = s.split(separator: "-")
            if r.count == 2, let a = Int64(r[0]), let b = Int64(r[1]), a <= b { list += Array(a...b) }
            else if let v = Int64(s) { list.append(v) } else { throw ValidationError("'\(s)' is not a task id or range") }
        }
        var bar = ProgressBar()
        while true {
            let w: WaitResponse
            do { w = try await client.wait(ids: list, timeout: 1) } catch { fail(error) }
            let s = w.summary
            if json {
                guard w.finished else { continue }
                try printJSON(w)
                if w.failed > 0 { throw ExitCode(1) }
                return
            }
            bar.draw(done: list.isEmpty ? s.count(.done) : 0, failed: list.isEmpty ? s.count(.failed) + s.count(.canceled) : 0,
                     total: list.isEmpty ? s.total : list.count, running: s.count(.running), force: w.finished)
            if w.finished {
                bar.finish()
                if w.failed > 0 { print("\(w.failed) task(s) failed or were canceled"); throw ExitCode(1) }
                print("all tasks done")
                return
            }
        }
    }
}

struct CancelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cancel", abstract: "Cancel tasks.")
    @OptionGroup var server: ServerOptions
    @Argument(help: "Task ids.") var ids: [Int64]
    @Flag var json = false
    func run() async throws {
        do {
            let r = try await server.client().cancel(ids)
            if json { try printJSON(r); return }
            print(r.canceled.isEmpty ? "nothing to cancel" : "canceled \(r.canceled.map(String.init).joined(separator: " "))")
        } catch { fail(error) }
    }
}

struct LogsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "logs", abstract: "Print a task's stdout (or stderr).")
    @OptionGroup var server: ServerOptions
    @Argument var id: Int64
    @Flag var stderr = false
    @Option(help: "Print only the last N bytes.") var tail: Int?
    @Option(help: "Start at this byte.") var offset: Int?
    @Option(help: "Print at most this many bytes.") var length: Int?
    @Flag(name: [.customShort("f"), .long], help: "Keep printing as the task writes; stop when it ends.") var follow = false
    func validate() throws {
        if follow && (tail != nil || length != nil) { throw ValidationError("--follow prints to the end: it takes no --tail or --length") }
    }
    func run() async throws {
        let stream = stderr ? "stderr" : "stdout"
        do {
            let client = try server.client()
            if follow {
                _ = try await LogFollower(client: client, id: id, stream: stream).run(from: offset ?? 0)
                return
            }
            if tail != nil || length != nil {
                FileHandle.standardOutput.write(try await client.logBytes(id, stream: stream, offset: offset, length: length, tail: tail))
                return
            }
            // Page through the log so a large one never sits whole in this process either.
            let page = 8 << 20
            var at = offset ?? 0
            while true {
                let data = try await client.logBytes(id, stream: stream, offset: at, length: page)
                FileHandle.standardOutput.write(data)
                if data.count < page { break }
                at += data.count
            }
        } catch { fail(error) }
    }
}

struct AgentsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "agents", abstract: "List the agents and their free slots.")
    @OptionGroup var server: ServerOptions
    @Flag var json = false
    func run() async throws {
        do {
            let list = try await server.client().agents()
            if json { try printJSON(list); return }
            var t = Table(header: ["ID", "HOST", "PILOT", "STATE", "CORES", "FREE", "GPUS", "FREE", "TASKS", "WALLTIME LEFT"])
            let now = Date().timeIntervalSince1970
            for a in list {
                t.rows.append([String(a.id), a.hostname, a.pilot ?? "-", a.state, String(a.cores), String(a.freeCores), String(a.gpus),
                               String(a.freeGPUs), String(a.tasks), a.deadline.map { formatDuration(max(0, $0 - now)) } ?? "-"])
            }
            print(t.render())
        } catch { fail(error) }
    }
}

struct TopologyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "topology", abstract: "Show this node's topology as hwloc sees it (restricted to the allowed cpuset).")
    @OptionGroup var topo: TopologyFlags
    @Flag var json = false
    func run() async throws {
        let t = try topo.load()
        if json { try printJSON(t) } else { print(t.renderTable()) }
    }
}

struct ResubmitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resubmit", abstract: "Run ended tasks again as new tasks: those in a state (default failed), of a workflow, or by id.",
        discussion: "A dependency (after) on another resubmitted task follows it to its new id. To re-run a workflow's failed stages inside the workflow, use `pilot workflow retry`.")
    @OptionGroup var server: ServerOptions
    @Option(help: "Which ended tasks: done, failed or canceled.") var state = "failed"
    @Option(help: "Only tasks of this workflow.") var workflow: Int64?
    @Argument(help: "Task ids instead of a state (ranges like 5-10 allowed).") var ids: [String] = []
    @Flag var json = false

    func run() async throws {
        guard let st = TaskState(rawValue: state), st.isTerminal else { throw ValidationError("--state must be done, failed or canceled, got '\(state)'") }
        var list: [Int64] = []
        for s in ids {
            let r = s.split(separator: "-")
            if r.count == 2, let a = Int64(r[0]), let b = Int64(r[1]), a <= b, b - a < 1_000_000 { list += Array(a...b) }
            else if let v = Int64(s) { list.append(v) } else { throw ValidationError("'\(s)' is not a task id or range") }
        }
        let client = try server.client()
        let req = ResubmitRequest(state: list.isEmpty || state != "failed" ? st : nil, workflow: workflow, ids: list.isEmpty ? nil : list)
        do {
            let r = try await client.resubmit(req)
            if json { try printJSON(r); return }
            let last = r.first + Int64(r.count) - 1
            print("resubmitted \(r.count) tasks as \(r.count == 1 ? "task \(r.first)" : "tasks \(r.first)-\(last)")")
        } catch { fail(error) }
    }
}
