import ArgumentParser
import Foundation
import Logging
import PilotCore
import PilotProtocol

/// `pilot bench`: the issue-7 workloads, each printing one JSON line per measurement.
/// Method and figures: Benchmarks/README.md.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Benchmarks through the real path (API → store → scheduler → agent → launch → result).",
        discussion: """
        Every subcommand starts an embedded manager (durable SQLite store) and a local agent, runs a 20-task
        warm-up, then prints one JSON line per repetition: workload, n, wall_s, tasks_per_s, utilisation,
        peak_rss_mb (this whole process: manager + agent), latency percentiles where relevant, prefetch and
        the 1-minute load average when the measurement ended.
          w1         N × /bin/true, 1 core each (process tasks)
          w2         N zero-work tasks (null launcher) through the whole manager
          scheduler  the scheduler core alone: decisions/s on a synthetic cluster with a deep queue
          w3         200 × sleep 0.05: utilisation = N·0.05 / (cores · wall)
          w4         one array of 1 000 000 zero-work tasks: throughput over time, RSS, database size
          w5         bind latency during W1: ready with a free core → process started (p50/p99)
          w6         pilot start-up on Slurm (submit → agents registered) against sbatch → RUNNING
          ext        a driver for the peer harness's `--system ext` JSON-over-stdio protocol
          pubs       per-binding cost of PUB jobs in process: bind by patching vs re-reading, estimator, sampler
          dreamer    the performance model: calibrate, then ≥30 held-out cut configurations run for real
          agents     1 000 simulated 64-core agents on one manager process: tasks/s, API p99, RSS, drop and reconnect
        """,
        subcommands: [Throughput.self, W1.self, W2.self, SchedulerBench.self, W3.self, W4.self, W5.self, W6.self, Events.self, Ext.self,
                      PUBs.self, DreamerBench.self, Iterative.self, Quantum.self, Agents.self, AgentsWorker.self])

    struct Throughput: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "N tasks (/bin/true by default) on an embedded manager + local agent; tasks/s from first submit to last result stored.")
        @Option(help: "Number of tasks.") var tasks = 2000
        @Option(help: "process or null (no process: the system's own cost).") var launcher = "process"
        @Option(help: "Tasks bound per core (1 running + N-1 queued at the agent; past 2 only for tasks known to run ≤ 50 ms, past 4 only for those of ≤ 2 ms).") var prefetch = Scheduler.defaultPrefetch
        @OptionGroup var topo: TopologyFlags
        @Argument(parsing: .captureForPassthrough) var command: [String] = []

        func run() async throws {
            if helpRequested(in: command) { throw CleanExit.helpRequest(self) }
            let cmd = command.first == "--" ? Array(command.dropFirst()) : command
            let null = launcher == "null"
            let bench = try await BenchCluster.start(topology: try topo.load(), null: null, prefetch: prefetch)
            var spec = BenchCluster.spec(null: null, command: cmd.isEmpty ? ["/bin/true"] : cmd)
            spec.name = "bench"
            let t0 = Date().timeIntervalSince1970
            let r = try await bench.runArray(spec, n: tasks)
            let list = try await bench.cluster.allTasks()
            await bench.cluster.stop()
            let summary = RunSummary(tasks: list, cores: bench.cluster.cores, submittedAt: t0)
            BenchLine.print(["workload": "throughput", "n": tasks, "launcher": launcher, "wall_s": r.wall,
                             "tasks_per_s": Double(tasks) / r.wall, "done": summary.done, "failed": r.failed,
                             "cores": bench.cluster.cores, "prefetch": prefetch, "peak_rss_mb": peakRSSMiB()])
        }
    }
}

/// Options every workload shares.
struct BenchOptions: ParsableArguments {
    @Option(help: "Repetitions on one cluster (after a 20-task warm-up).") var reps = 3
    @Option(help: "Tasks bound per core at once: 1 running + N-1 queued at the agent (1: no prefetch; past 2 only for tasks known to run ≤ 50 ms, past 4 only for those of ≤ 2 ms).") var prefetch = Scheduler.defaultPrefetch
    @Option(help: "Also append every JSON line to this file.") var out: String?
    @OptionGroup var topo: TopologyFlags
}

/// Peak resident set of this process (VmHWM), in MiB.
func peakRSSMiB() -> Double { procStatusMiB("VmHWM:") }

/// Current resident set of this process (VmRSS), in MiB.
func currentRSSMiB() -> Double { procStatusMiB("VmRSS:") }

private func procStatusMiB(_ key: String) -> Double {
    guard let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = s.split(separator: "\n").first(where: { $0.hasPrefix(key) }) else { return 0 }
    let kb = Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
    return kb / 1024
}

/// The 1-minute load average, recorded with every figure: this box is shared.
func loadAverage() -> Double {
    guard let s = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return -1 }
    return Double(s.split(separator: " ").first ?? "") ?? -1
}

enum BenchLine {
    nonisolated(unsafe) static var outFile: String?

    /// One JSON object per line on stdout (and appended to `--out`), keys sorted.
    static func print(_ fields: [String: Any]) {
        var f = fields
        if f["load1"] == nil { f["load1"] = loadAverage() }
        f["at"] = Date().timeIntervalSince1970
        guard let data = try? JSONSerialization.data(withJSONObject: f, options: [.sortedKeys]) else { return }
        let line = String(decoding: data, as: UTF8.self)
        // Unbuffered: a driver reading our stdout sees each line at once.
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
        if let path = outFile {
            if let h = FileHandle(forWritingAtPath: path) { h.seekToEndOfFile(); h.write(Data((line + "\n").utf8)); try? h.close() }
            else { try? (line + "\n").write(toFile: path, atomically: false, encoding: .utf8) }
        }
    }
}

/// Nearest-rank percentile of an unsorted sample.
func percentile(_ xs: [Double], _ p: Double) -> Double {
    guard !xs.isEmpty else { return .nan }
    let s = xs.sorted()
    let rank = Int((p / 100 * Double(s.count)).rounded(.up)) - 1
    return s[min(max(rank, 0), s.count - 1)]
}
