import ArgumentParser
import Foundation
import PilotCore
import PilotManager
import PilotProtocol

extension BenchCommand {
    struct W1: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "W1: N process tasks /bin/true, 1 core each, embedded manager + local agent.")
        @Option(parsing: .upToNextOption, help: "Task counts (one set of reps per value).") var n: [Int] = [2000]
        @OptionGroup var opts: BenchOptions

        func run() async throws {
            BenchLine.outFile = opts.out
            let b = try await BenchCluster.start(topology: try opts.topo.load(), null: false, prefetch: opts.prefetch)
            for count in n {
                for rep in 0..<opts.reps {
                    let threads0 = ThreadCPU.byName()
                    let r = try await b.runArray(BenchCluster.spec(null: false, command: ["/bin/true"]), n: count)
                    let parts = ThreadCPU.perTask(from: threads0, to: ThreadCPU.byName(), tasks: count)
                    BenchLine.print(r.fields.merging(["workload": "w1", "n": count, "rep": rep, "cores": b.cluster.cores, "prefetch": opts.prefetch,
                                                      "peak_rss_mb": peakRSSMiB()]) { $1 }.merging(parts.mapValues { $0 as Any }) { $1 })
                }
            }
            await b.cluster.stop()
        }
    }

    struct W2: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "W2: N zero-work tasks (null launcher: no process) through the whole manager and its durable store.",
            discussion: """
            The null launcher runs nothing, so the agent's cores only bound how many tasks are in flight at once.
            By default the agent advertises this machine's cores, as the peers' 2 workers; --topology synthetic:…
            with more cores measures the manager with a deeper pipeline.
            """)
        @Option(parsing: .upToNextOption, help: "Task counts.") var n: [Int] = [10_000, 100_000]
        @Flag(help: "Run the manager without metrics (no /metrics, no journal counting): the baseline of their cost.") var noMetrics = false
        @Option(help: "Scrape /metrics with the metrics token every this many seconds during the runs, as Prometheus would (0: no scraper).")
        var scrapeEvery = 0.0
        @Flag(help: "Keep one live event-stream subscriber (curl on GET /v1/events?follow=true) attached during the runs.")
        var subscribe = false
        @OptionGroup var opts: BenchOptions

        func run() async throws {
            BenchLine.outFile = opts.out
            let b = try await BenchCluster.start(topology: try opts.topo.load(), null: true, prefetch: opts.prefetch, metrics: !noMetrics)
            let scraper = scrapeEvery > 0 && !noMetrics ? try MetricsScraper.start(serverDir: b.cluster.serverDir, every: scrapeEvery) : nil
            let subscriber = subscribe ? try Self.subscriber(serverDir: b.cluster.serverDir) : nil
            for count in n {
                for rep in 0..<opts.reps {
                    let threads0 = ThreadCPU.byName()
                    let r = try await b.runArray(BenchCluster.spec(null: true, command: ["/bin/true"]), n: count)
                    let parts = ThreadCPU.perTask(from: threads0, to: ThreadCPU.byName(), tasks: count)
                    BenchLine.print(r.fields.merging(["workload": "w2", "n": count, "rep": rep, "cores": b.cluster.cores, "prefetch": opts.prefetch,
                                                      "peak_rss_mb": peakRSSMiB(), "metrics": !noMetrics, "scrape_every_s": scrapeEvery,
                                                      "scrapes": scraper?.count ?? 0, "subscriber": subscribe]) { $1 }
                        .merging(parts.mapValues { $0 as Any }) { $1 })
                }
            }
            await scraper?.stop()
            // SIGKILL: a child started here inherits a signal mask that blocks SIGTERM (seen in /proc: SigBlk).
            if let subscriber { kill(subscriber.processIdentifier, SIGKILL); subscriber.waitUntilExit() }
            await b.cluster.stop()
        }

        /// A separate process reading the live event stream to the end, as a dashboard would.
        static func subscriber(serverDir: String) throws -> Process {
            let a = try AccessFile.read(from: serverDir)
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
            let tls = a.tlsFingerprint != nil
            p.arguments = ["-sN", "-o", "/dev/null", "-H", "Authorization: Bearer \(a.token)"]
                + (tls ? ["--cacert", ManagerTLS.certificatePath(in: serverDir)] : [])
                + ["\(tls ? "https" : "http")://127.0.0.1:\(a.port)/v1/events?follow=true"]
            try p.run()
            return p
        }
    }

    struct W3: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "W3: 200 × sleep 0.05; utilisation = N·0.05 s / (cores · wall), as the peer harness defines it.")
        @Option(help: "Number of tasks.") var n = 200
        @Option(help: "Seconds each task sleeps.") var sleep = 0.05
        @OptionGroup var opts: BenchOptions

        func run() async throws {
            BenchLine.outFile = opts.out
            let b = try await BenchCluster.start(topology: try opts.topo.load(), null: false, prefetch: opts.prefetch)
            for rep in 0..<opts.reps {
                let r = try await b.runArray(BenchCluster.spec(null: false, command: ["/bin/sleep", String(sleep)]), n: n)
                let util = Double(n) * sleep / (Double(b.cluster.cores) * r.wall)
                BenchLine.print(r.fields.merging(["workload": "w3", "n": n, "rep": rep, "utilisation": util, "cores": b.cluster.cores,
                                                   "prefetch": opts.prefetch, "peak_rss_mb": peakRSSMiB()]) { $1 })
            }
            await b.cluster.stop()
        }
    }

    struct W4: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "W4: one array of N (default 1 000 000) zero-work tasks: throughput over time, peak RSS, database size.",
            discussion: """
            First runs a reference array of --reference tasks on the same cluster, then the big one. While the big one
            runs, prints one `w4-progress` line per --interval seconds (done so far, rate in that interval, current RSS).
            The final line has the throughput of both and their ratio, the peak RSS and the size of the database files.
            """)
        @Option(help: "Tasks in the big array.") var n = 1_000_000
        @Option(help: "Tasks in the reference array.") var reference = 10_000
        @Option(help: "Seconds between progress lines.") var interval = 5.0
        @Option(help: "Tasks bound per core (1 running + N-1 queued at the agent; past 2 only for tasks known to run ≤ 50 ms, past 4 only for those of ≤ 2 ms).") var prefetch = Scheduler.defaultPrefetch
        @Option(help: "Also append every JSON line to this file.") var out: String?
        @OptionGroup var topo: TopologyFlags

        func run() async throws {
            BenchLine.outFile = out
            let b = try await BenchCluster.start(topology: try topo.load(), null: true, prefetch: prefetch)
            let spec = BenchCluster.spec(null: true, command: ["/bin/true"])
            let ref = try await b.runArray(spec, n: reference)
            let refRate = Double(reference) / ref.wall
            BenchLine.print(ref.fields.merging(["workload": "w4-reference", "n": reference, "cores": b.cluster.cores, "prefetch": prefetch, "peak_rss_mb": peakRSSMiB()]) { $1 })
            let base = try await b.cluster.client.summary().count(.done)
            let client = b.cluster.client
            let every = interval
            let sampler = Task {
                let start = ContinuousClock.now
                var last = (t: 0.0, done: 0)
                while !Task.isCancelled {
                    try? await Task.sleep(for: .milliseconds(Int(every * 1000)))
                    guard let s = try? await client.summary() else { continue }
                    let e = ContinuousClock.now - start
                    let t = Double(e.components.seconds) + Double(e.components.attoseconds) / 1e18
                    let done = s.count(.done) - base
                    BenchLine.print(["workload": "w4-progress", "t_s": t, "done": done,
                                     "tasks_per_s": Double(done - last.done) / max(t - last.t, 1e-9),
                                     "rss_mb": currentRSSMiB(), "db_mb": databaseMiB(b.cluster.serverDir)])
                    last = (t, done)
                }
            }
            let big = try await b.runArray(spec, n: n)
            sampler.cancel()
            let rate = Double(n) / big.wall
            BenchLine.print(big.fields.merging(["workload": "w4", "n": n, "reference_n": reference,
                             "reference_tasks_per_s": refRate, "ratio_to_reference": rate / refRate,
                             "cores": b.cluster.cores, "prefetch": prefetch, "peak_rss_mb": peakRSSMiB(),
                             "db_mb": databaseMiB(b.cluster.serverDir)]) { $1 })
            await b.cluster.stop()
        }
    }

    struct W5: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "W5: bind latency during W1 — a task ready while a core is free → its process started.",
            discussion: """
            All timestamps come from one clock in one process (embedded manager and agent). For each task, the
            moment it could have started is the later of (a) its submission and (b) the exit of the task that held
            its core before it (the reaper's exit time). Latency = spawn time − that moment. It counts everything
            between a core freeing and the next process on it (report, commit, scheduling, assignment, queueing at
            the agent, fork/exec) and nothing of the time a task waited because every core was busy running work.
            """)
        @Option(help: "Tasks per repetition.") var n = 2000
        @OptionGroup var opts: BenchOptions

        func run() async throws {
            BenchLine.outFile = opts.out
            let b = try await BenchCluster.start(topology: try opts.topo.load(), null: false, prefetch: opts.prefetch)
            for rep in 0..<opts.reps {
                let r = try await b.runArray(BenchCluster.spec(null: false, command: ["/bin/true"]), n: n)
                var infos: [TaskInfo] = []
                for id in r.first..<(r.first + Int64(r.count)) { infos.append(try await b.cluster.client.task(id)) }
                let lat = bindLatencies(infos)
                var f = r.fields
                f["workload"] = "w5"; f["n"] = n; f["rep"] = rep; f["samples"] = lat.count
                f["p50_ms"] = percentile(lat, 50) * 1000
                f["p99_ms"] = percentile(lat, 99) * 1000
                f["max_ms"] = (lat.max() ?? .nan) * 1000
                f["mean_ms"] = lat.reduce(0, +) / Double(max(lat.count, 1)) * 1000
                f["cores"] = b.cluster.cores; f["prefetch"] = opts.prefetch; f["peak_rss_mb"] = peakRSSMiB()
                BenchLine.print(f)
            }
            await b.cluster.stop()
        }
    }
}

/// Per task: spawn time minus max(submission, end of the previous occupant of any of its cores on its agent).
func bindLatencies(_ tasks: [TaskInfo]) -> [Double] {
    var out: [Double] = []
    out.reserveCapacity(tasks.count)
    var lastEnd: [String: Double] = [:]
    for t in tasks.filter({ $0.startedAt != nil }).sorted(by: { $0.startedAt! < $1.startedAt! }) {
        guard let s = t.startedAt, let b = t.binding, let p = b.placements.first else { continue }
        var ready = t.submittedAt
        for c in p.cores { if let e = lastEnd["\(p.agent)/\(c)"] { ready = max(ready, e) } }
        out.append(max(0, s - ready))
        for c in p.cores { lastEnd["\(p.agent)/\(c)"] = t.endedAt ?? s }
    }
    return out
}

/// Size of the SQLite database with its WAL, in MiB.
func databaseMiB(_ dir: String) -> Double {
    let fm = FileManager.default
    guard let items = try? fm.contentsOfDirectory(atPath: dir) else { return 0 }
    var bytes = 0
    for f in items where f.contains(".db") || f.hasSuffix(".sqlite") || f.contains("sqlite") {
        bytes += ((try? fm.attributesOfItem(atPath: dir + "/" + f))?[.size] as? Int) ?? 0
    }
    return Double(bytes) / 1_048_576
}
