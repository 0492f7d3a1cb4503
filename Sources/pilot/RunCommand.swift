import ArgumentParser
import Foundation
import Logging
import PilotCore
import PilotProtocol
import PilotWorkflow

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a tasks file to completion on this machine: embedded manager + local agent, no Slurm needed.")

    @Argument(help: "A tasks file (YAML).") var file: String
    @OptionGroup var topo: TopologyFlags
    @Option(help: "Keep the manager's state here instead of a temporary directory.") var serverDir: String?
    @Flag(help: "Keep the temporary server directory (task logs, results, the store) and print its path.") var keep = false
    @Option(help: "Print the stdout of at most this many tasks after the summary (0: none).") var showOutput = 10
    @Flag(help: "Print the summary as JSON.") var json = false
    @Option(help: "Log level.") var logLevel: String?
    @Option(help: "Where to write the run report (.html or .svg; default: FILE's name + .report.html in this directory).")
    var report: String?
    @Flag(help: "Write no run report.") var noReport = false

    func run() async throws {
        LogSetup.bootstrap(logLevel, default: .warning)
        let log = Logger(label: "pilot.run")
        if isWorkflowFile(file) { try await runWorkflow(log: log); return }
        let tf: TaskFile
        do { tf = try TaskFile.load(path: file) } catch { fail(error) }
        let cluster = try await EmbeddedCluster.start(serverDir: serverDir, topology: try topo.load(), log: log)
        var summary: RunSummary
        var outputs = ""
        do {
            let t0 = Date().timeIntervalSince1970
            for r in tf.requests { _ = try await cluster.client.submit(r) }
            _ = try await cluster.waitAll(progress: !json)
            let tasks = try await cluster.allTasks()
            summary = RunSummary(tasks: tasks, cores: cluster.cores, submittedAt: t0)
            outputs = json ? "" : try await taskOutputs(tasks, cluster: cluster)
        } catch {
            await cluster.stop()
            fail(error)
        }
        let reportLine = await writeReport(client: cluster.client, workflow: nil)
        await cluster.stop(keep: keep)
        if json { try printJSON(summary) } else { print(outputs + summary.text); printKept(cluster) }
        printReportLine(reportLine)
        if summary.failed > 0 { throw ExitCode(1) }
    }
}

extension RunCommand {
    /// A workflow file: submit it to the embedded manager and follow it to the end.
    func runWorkflow(log: Logger) async throws {
        let cluster = try await EmbeddedCluster.start(serverDir: serverDir, topology: try topo.load(), log: log)
        let info: WorkflowInfo
        let tasks: [TaskInfo]
        var outputs = ""
        do {
            let w = try await submitWorkflowFile(file, client: cluster.client)
            var bar = ProgressBar()
            var current = w
            while current.state == "running" {
                let s = try await cluster.client.wait(timeout: 0.5).summary
                if !json { bar.draw(done: s.count(.done), failed: s.count(.failed) + s.count(.canceled), total: s.total, running: s.count(.running)) }
                current = try await cluster.client.workflow(w.id)
            }
            if !json { bar.finish() }
            info = current
            tasks = try await cluster.allTasks()
            outputs = json ? "" : try await taskOutputs(tasks, cluster: cluster)
        } catch {
            await cluster.stop()
            fail(error)
        }
        let reportLine = await writeReport(client: cluster.client, workflow: info.id)
        await cluster.stop(keep: keep)
        let summary = WorkflowSummary(info: info, tasks: tasks, cores: cluster.cores, gpus: cluster.gpus, qpuSlots: cluster.qpuSlots)
        if json { try printJSON(summary) } else { print(outputs + summary.text); printKept(cluster) }
        printReportLine(reportLine)
        if info.state != "done" { throw ExitCode(1) }
    }
}

extension RunCommand {
    /// The first `showOutput` tasks' stdout, read before the temporary directory goes, so a run
    /// shows what its tasks said (up to 4 KiB each).
    func taskOutputs(_ tasks: [TaskInfo], cluster: EmbeddedCluster) async throws -> String {
        guard showOutput > 0 else { return "" }
        var out = ""
        let shown = tasks.filter { $0.stdoutPath != nil || $0.state == .done || $0.state == .failed }.prefix(showOutput)
        for t in shown {
            guard let text = try? await cluster.client.logs(t.id, length: 4096), !text.isEmpty else { continue }
            out += "── task \(t.id)\(t.name.map { " \($0)" } ?? "") (\(t.state.rawValue)) ──\n" + text
            if !text.hasSuffix("\n") { out += "\n" }
        }
        if tasks.count > shown.count { out += "(stdout of \(shown.count) of \(tasks.count) tasks shown; --show-output N for more, --keep for all)\n" }
        return out.isEmpty ? "" : out + "\n"
    }

    func printKept(_ cluster: EmbeddedCluster) {
        if keep && serverDir == nil { print("kept: \(cluster.serverDir) (task logs in logs/, store in pilot.db)") }
    }
}

/// What a run did: counts, makespan, and how busy the cores were.
struct RunSummary: Codable {
    var tasks: Int
    var done: Int
    var failed: Int
    var canceled: Int
    var makespanSeconds: Double
    var utilisation: Double
    var cores: Int
    var failures: [String]

    init(tasks list: [TaskInfo], cores: Int, submittedAt: Double) {
        tasks = list.count
        done = list.filter { $0.state == .done }.count
        failed = list.filter { $0.state == .failed }.count
        canceled = list.filter { $0.state == .canceled }.count
        let starts = list.compactMap(\.startedAt), ends = list.compactMap(\.endedAt)
        let first = starts.min() ?? submittedAt
        makespanSeconds = max(0, (ends.max() ?? first) - first)
        var busy = 0.0
        for t in list {
            guard let s = t.startedAt, let e = t.endedAt else { continue }
            busy += (e - s) * Double(max(1, t.spec?.request.coresPerNode ?? 1) * (t.spec?.request.nodes ?? 1))
        }
        self.cores = cores
        utilisation = makespanSeconds > 0 ? busy / (Double(cores) * makespanSeconds) : 0
        failures = list.filter { $0.state == .failed }.prefix(10).map { "task \($0.id) \($0.name ?? ""): \($0.reason ?? "failed")" }
    }

    var text: String {
        var s = "tasks: \(tasks)  done: \(done)  failed: \(failed)  canceled: \(canceled)\n"
        s += "makespan: \(formatDuration(makespanSeconds))  utilisation: \(String(format: "%.1f%%", utilisation * 100)) of \(cores) cores"
        for f in failures { s += "\n  \(f)" }
        return s
    }
}
