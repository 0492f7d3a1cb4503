import ArgumentParser
import Foundation
import Logging
import PilotCore
import PilotProtocol

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Benchmarks through the real path (API → store → scheduler → agent → launch → result).",
        subcommands: [Throughput.self])

    struct Throughput: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "N tasks (/bin/true by default) on an embedded manager + local agent; tasks/s from first submit to last result stored.")
        @Option(help: "Number of tasks.") var tasks = 2000
        @Option(help: "process or null (no process: the system's own cost).") var launcher = "process"
        @OptionGroup var topo: TopologyFlags
        @Argument(parsing: .captureForPassthrough) var command: [String] = []

        func run() async throws {
            LogSetup.bootstrap(nil, default: .warning)
            let log = Logger(label: "pilot.bench")
            let cmd = command.first == "--" ? Array(command.dropFirst()) : command
            var spec = TaskSpec(name: "bench", kind: launcher == "null" ? .null : .command,
                                command: cmd.isEmpty ? ["/bin/true"] : cmd)
            spec.captureOutput = false
            let cluster = try await EmbeddedCluster.start(topology: try topo.load(),
                                                          launcher: launcher == "null" ? .null : .process, log: log)
            let t0 = Date().timeIntervalSince1970
            let clock = ContinuousClock.now
            _ = try await cluster.client.submit(SubmitRequest(array: ArraySubmission(template: spec, range: "0-\(tasks - 1)")))
            let w = try await cluster.waitAll(progress: false)
            let wall = Double((ContinuousClock.now - clock).components.attoseconds) / 1e18 + Double((ContinuousClock.now - clock).components.seconds)
            let list = try await cluster.allTasks()
            await cluster.stop()
            let summary = RunSummary(tasks: list, cores: cluster.cores, submittedAt: t0)
            let line: [String: Any] = ["workload": "throughput", "n": tasks, "launcher": launcher, "wall_s": wall,
                                       "tasks_per_s": Double(tasks) / wall, "done": summary.done, "failed": w.failed,
                                       "cores": cluster.cores, "peak_rss_mb": peakRSSMiB()]
            print(String(decoding: try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys]), as: UTF8.self))
        }
    }
}

/// Peak resident set of this process (VmHWM), in MiB.
func peakRSSMiB() -> Double {
    guard let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = s.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return 0 }
    let kb = Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
    return kb / 1024
}
