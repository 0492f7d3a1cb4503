import ArgumentParser
import Foundation
import PilotCore
import PilotProtocol
import PilotStore
import Synchronization

extension BenchCommand {
    /// Issue 20, item 3: one manager process holding many simulated agents over real TCP.
    struct Agents: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "1,000 simulated 64-core agents on one manager process: throughput, API latency, RSS, drop and reconnect.",
            discussion: """
            Starts a real manager process (durable SQLite store, journal, metrics) and --agents real agents in
            processes of --per-process each (`pilot bench agents-worker`), every agent with its own TCP connection
            and heartbeat, a synthetic topology of --cores cores and the null launcher (each task ends at once, exit 0,
            no process). Phases, each printing one JSON line:
              agents-queued   --queued null tasks submitted before any agent exists; the manager's RSS then
              agents-window   after --warmup s, done tasks over --duration s while a feeder keeps the queue full;
                              API latency of GET /v1/summary polled every --poll-interval s; agents declared lost
              agents          --drop agents of the first process lose their connection at once and reconnect; then
                              the queue is drained, the manager stopped, and its store audited: every task done and
                              ended exactly once in the journal
            Method and figures: Benchmarks/README.md.
            """)
        @Option(help: "Simulated agents.") var agents = 1000
        @Option(help: "Cores of each agent (synthetic topology).") var cores = 64
        @Option(help: "Agents per worker process.") var perProcess = 100
        @Option(help: "Seconds of the sustained-throughput window (0: no window).") var duration = 60.0
        @Option(help: "Seconds of running before the window opens.") var warmup = 5.0
        @Option(help: "Tasks queued before the agents start (the manager's RSS is read with them queued).") var queued = 1_000_000
        @Option(help: "Agents that drop their connection at once and reconnect (at most --per-process).") var drop = 100
        @Option(help: "Tasks per submitted array.") var batch = 100_000
        // 8, not the default 16: 64 cores × 8 already hide the round trip, and a million-task queue
        // then stays a queue instead of being bound to agents in the first seconds.
        @Option(help: "Tasks bound per core (1 running + N-1 queued at the agent; past 2 only for tasks known to run ≤ 50 ms, past 4 only for those of ≤ 2 ms).") var prefetch = 8
        @Option(help: "Seconds between API latency probes.") var pollInterval = 0.02
        @Option(help: "Scrape /metrics every this many seconds during the run, as Prometheus would (0: never).") var scrapeEvery = 5.0
        @Option(help: "Event-loop threads per worker process.") var loops = 1
        @Option(help: "Seconds any one wait (start-up, registration, reconnect, drain) may take before the run is abandoned.")
        var timeout = 900.0
        @Option(help: "Also append every JSON line to this file.") var out: String?
        @Flag(help: "Keep the server directory (store, logs) instead of removing it.") var keep = false

        func validate() throws {
            guard agents > 0 else { throw ValidationError("--agents must be at least 1, got \(agents)") }
            guard cores > 0 else { throw ValidationError("--cores must be at least 1, got \(cores)") }
            guard perProcess > 0 else { throw ValidationError("--per-process must be at least 1, got \(perProcess)") }
            guard duration >= 0, duration.isFinite else { throw ValidationError("--duration must be 0 or more seconds, got \(duration)") }
            guard warmup >= 0, warmup.isFinite else { throw ValidationError("--warmup must be 0 or more seconds, got \(warmup)") }
            guard queued >= 0 else { throw ValidationError("--queued must not be negative, got \(queued)") }
            guard (0...min(perProcess, agents)).contains(drop) else {
                throw ValidationError("--drop must be between 0 and the agents of one process (\(min(perProcess, agents))), got \(drop)")
            }
            guard batch > 0 else { throw ValidationError("--batch must be at least 1, got \(batch)") }
            guard prefetch > 0 else { throw ValidationError("--prefetch must be at least 1, got \(prefetch)") }
            guard pollInterval > 0 else { throw ValidationError("--poll-interval must be more than 0 seconds, got \(pollInterval)") }
            guard scrapeEvery >= 0 else { throw ValidationError("--scrape-every must be 0 or more seconds, got \(scrapeEvery)") }
            guard loops > 0 else { throw ValidationError("--loops must be at least 1, got \(loops)") }
            guard timeout > 0 else { throw ValidationError("--timeout must be more than 0 seconds, got \(timeout)") }
            guard queued > 0 || duration > 0 else { throw ValidationError("--queued and --duration are both 0: there would be no tasks") }
        }

        func run() async throws {
            BenchLine.outFile = out
            let run = AgentScaleRun(options: self, dir: EmbeddedCluster.makeTempDir())
            do {
                try await run.execute()
            } catch {
                run.stopProcesses()
                FileHandle.standardError.write(Data("pilot bench agents: \(error); logs in \(run.dir)\n".utf8))
                throw ExitCode(1)
            }
            if !keep { try? FileManager.default.removeItem(atPath: run.dir) }
        }
    }
}

/// One `pilot bench agents` run: the manager and worker processes, and the phases.
final class AgentScaleRun: @unchecked Sendable {
    let o: BenchCommand.Agents
    let dir: String
    var manager: Process?
    var workers: [Process] = []
    var client: PilotClient!
    /// Every task submitted, as one id range (arrays get consecutive ids).
    let ids = Mutex<(first: Int64, last: Int64)?>(nil)
    let feeding = Atomic<Bool>(false)

    init(options: BenchCommand.Agents, dir: String) { o = options; self.dir = dir }

    func execute() async throws {
        try await startManager()
        // Phase 1: the queue, with no agent yet to drain it.
        let t0 = Date()
        var left = o.queued
        while left > 0 { let n = min(left, o.batch); try await submit(n); left -= n }
        let queuedSummary = try await client.summary()
        let rssQueued = managerStatusMiB("VmRSS:")
        BenchLine.print(["workload": "agents-queued", "queued": queuedSummary.count(.ready), "submit_s": Date().timeIntervalSince(t0),
                         "manager_rss_mb": rssQueued, "manager_peak_rss_mb": managerStatusMiB("VmHWM:")])

        // Phase 2: the agents.
        let t1 = Date()
        try startWorkers()
        try await waitUntil("\(o.agents) agents registered") { try await self.client.summary().agents >= self.o.agents }
        let registration = Date().timeIntervalSince(t1)

        let poller = LatencyPoller(client: client, every: o.pollInterval)
        let scraper = o.scrapeEvery > 0 ? try MetricsScraper.start(serverDir: dir, every: o.scrapeEvery) : nil
        feeding.store(o.duration > 0, ordering: .relaxed)
        let feeder = Task { await self.feed() }

        // Phase 3: the sustained window.
        var window: [String: Any] = [:]
        if o.duration > 0 {
            try await Task.sleep(for: .milliseconds(Int(o.warmup * 1000)))
            window = try await measureWindow(poller: poller)
            window["registration_s"] = registration
            BenchLine.print(window)
        }

        // Phase 4: drop and reconnect, under load.
        var dropFields: [String: Any] = ["dropped": o.drop]
        if o.drop > 0 { dropFields.merge(try await dropAndReconnect()) { $1 } }
        feeding.store(false, ordering: .relaxed)
        await feeder.value
        try await waitUntil("every task ended") { try await self.client.wait(timeout: 2).finished }
        let apiAll = poller.stop()
        await scraper?.stop()
        let peak = managerStatusMiB("VmHWM:")

        // Phase 5: stop everything, then audit the store the manager left.
        stopProcesses()
        guard let range = ids.withLock({ $0 }) else { throw CLIError("no tasks were submitted") }
        let audit: EndingAudit
        do { audit = try PilotStore(directory: dir).auditEndings(first: range.first, last: range.last) } catch { throw CLIError("audit: \(error)") }
        let total = Int(range.last - range.first + 1)
        var f: [String: Any] = ["workload": "agents", "agents": o.agents, "cores_per_agent": o.cores, "cores": o.agents * o.cores,
                                "per_process": o.agents > o.perProcess ? o.perProcess : o.agents, "prefetch": o.prefetch,
                                "registration_s": registration, "queued": o.queued, "manager_rss_queued_mb": rssQueued,
                                "manager_peak_rss_mb": peak, "tasks": total, "exactly_once": audit.exactlyOnce(count: total),
                                "ended_once": audit.endedOnce, "ended_more_than_once": audit.endedMoreThanOnce,
                                "never_ended": audit.neverEnded, "states": audit.states, "agents_lost": audit.agentsLost,
                                "api_run_p50_ms": percentile(apiAll.map(\.latency), 50) * 1000,
                                "api_run_p99_ms": percentile(apiAll.map(\.latency), 99) * 1000,
                                "api_run_max_ms": (apiAll.map(\.latency).max() ?? .nan) * 1000, "api_run_samples": apiAll.count]
        for k in ["tasks_per_s", "window_s", "min_interval_tasks_per_s", "api_p50_ms", "api_p99_ms", "api_max_ms", "api_samples",
                  "window_agents_lost"] { if let v = window[k] { f[k] = v } }
        f.merge(dropFields) { $1 }
        BenchLine.print(f)
        if !audit.exactlyOnce(count: total) {
            throw CLIError("not every task ended exactly once: \(audit)")
        }
    }

    // MARK: processes

    func startManager() async throws {
        manager = try spawn(["manager", "start", "--server-dir", dir, "--port", "0", "--prefetch", String(o.prefetch),
                             "--journal-keep", "0", "--journal-days", "0"], log: "manager")
        try await waitUntil("the manager answering") {
            guard let a = try? AccessFile.read(from: self.dir), a.pid == self.manager?.processIdentifier else { return false }
            let c = PilotClient(access: a)
            guard (try? await c.health()) == true else { return false }
            self.client = c
            return true
        }
    }

    func startWorkers() throws {
        var first = 0, w = 0
        while first < o.agents {
            let n = min(o.perProcess, o.agents - first)
            workers.append(try spawn(["bench", "agents-worker", "--server-dir", dir, "--count", String(n), "--first", String(first),
                                      "--cores", String(o.cores), "--prefetch", String(o.prefetch), "--loops", String(o.loops),
                                      "--drop", String(w == 0 ? o.drop : 0)], log: "worker-\(w)"))
            first += n; w += 1
        }
    }

    func spawn(_ args: [String], log: String) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: ProjectFiles.pilotBinary)
        p.arguments = args
        let path = dir + "/\(log).log"
        FileManager.default.createFile(atPath: path, contents: nil)
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        p.standardOutput = h
        p.standardError = h
        try p.run()
        return p
    }

    /// Workers first (their agents stop), then the manager, which commits what it holds on SIGTERM.
    func stopProcesses() {
        for p in workers where p.isRunning { kill(p.processIdentifier, SIGTERM) }
        for p in workers { p.waitUntilExit() }
        if let m = manager, m.isRunning { kill(m.processIdentifier, SIGTERM); m.waitUntilExit() }
    }

    /// Polls `ready` every 50 ms; fails naming `what` after --timeout or when a process died.
    func waitUntil(_ what: String, _ ready: @escaping () async throws -> Bool) async throws {
        let deadline = Date().addingTimeInterval(o.timeout)
        while true {
            if (try? await ready()) == true { return }
            if let m = manager, !m.isRunning { throw CLIError("the manager exited (status \(m.terminationStatus)) waiting for \(what)") }
            if let w = workers.first(where: { !$0.isRunning }) { throw CLIError("a worker exited (status \(w.terminationStatus)) waiting for \(what)") }
            guard Date() < deadline else { throw CLIError("gave up after \(Int(o.timeout)) s waiting for \(what)") }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    func managerStatusMiB(_ key: String) -> Double {
        guard let pid = manager?.processIdentifier,
              let s = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = s.split(separator: "\n").first(where: { $0.hasPrefix(key) }) else { return 0 }
        return (Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) / 1024
    }

    // MARK: phases

    func submit(_ n: Int) async throws {
        let r = try await client.submit(SubmitRequest(array: ArraySubmission(template: BenchCluster.spec(null: true, command: []), range: "0-\(n - 1)")))
        guard let got = r.ids else { return }
        ids.withLock { cur in cur = (cur?.first ?? got.lowerBound, got.upperBound) }
    }

    /// Keeps at least two batches ready while `feeding`, so the agents never run dry in the window.
    func feed() async {
        while feeding.load(ordering: .relaxed) {
            if let s = try? await client.summary(), s.count(.ready) < 2 * o.batch { try? await submit(o.batch) }
            try? await Task.sleep(for: .milliseconds(250))
        }
    }

    func measureWindow(poller: LatencyPoller) async throws -> [String: Any] {
        let lost0 = try await lostAgents()
        let start = Date()
        let done0 = try await client.summary().count(.done)
        let probes0 = poller.count
        var last = (t: 0.0, done: done0)
        var minRate = Double.infinity
        while true {
            let step = min(5.0, o.duration - last.t)
            try await Task.sleep(for: .milliseconds(Int(max(step, 0.01) * 1000)))
            let s = try await client.summary()
            let t = Date().timeIntervalSince(start)
            let rate = Double(s.count(.done) - last.done) / max(t - last.t, 1e-9)
            // A last sliver of the window (a few ms) may fall between two commits: no rate to speak of.
            if t - last.t >= 1 { minRate = min(minRate, rate) }
            BenchLine.print(["workload": "agents-progress", "t_s": t, "done": s.count(.done) - done0, "tasks_per_s": rate,
                             "ready": s.count(.ready), "agents": s.agents, "manager_rss_mb": managerStatusMiB("VmRSS:")])
            last = (t, s.count(.done))
            if t >= o.duration { break }
        }
        let lat = poller.samples(from: probes0).map(\.latency)
        return ["workload": "agents-window", "agents": o.agents, "cores": o.agents * o.cores, "window_s": last.t,
                "tasks_per_s": Double(last.done - done0) / last.t, "min_interval_tasks_per_s": minRate,
                "window_agents_lost": try await lostAgents() - lost0, "api_p50_ms": percentile(lat, 50) * 1000,
                "api_p99_ms": percentile(lat, 99) * 1000, "api_max_ms": (lat.max() ?? .nan) * 1000, "api_samples": lat.count,
                "manager_rss_mb": managerStatusMiB("VmRSS:"), "manager_peak_rss_mb": managerStatusMiB("VmHWM:")]
    }

    /// Agents the manager lists as lost now.
    func lostAgents() async throws -> Int { try await client.agents().filter { $0.state == "lost" }.count }

    /// SIGUSR1 to the first worker: its first --drop agents close their connections at once. Waits
    /// until the journal shows each of them disconnected and reattached.
    func dropAndReconnect() async throws -> [String: Any] {
        let seq0 = try await client.events(since: 0, limit: 1).lastSeq
        // Work in flight when the connections drop, also in a run without a feeder.
        try await submit(o.batch)
        let s = try await client.summary()
        let t = Date()
        kill(workers[0].processIdentifier, SIGUSR1)
        var since = seq0
        var gone = Set<Int>(), back = Set<Int>()
        try await waitUntil("\(o.drop) agents to drop and reconnect") {
            let page = try await self.client.events(since: since, limit: 5000, kinds: ["agent_disconnected", "agent_reattached", "agent_registered"])
            for r in page.events {
                guard let a = r.agent else { continue }
                if r.kind == .agentDisconnected { gone.insert(a) } else if gone.contains(a) { back.insert(a) }
                since = max(since, r.seq)
            }
            return back.count >= self.o.drop && gone.count >= self.o.drop
        }
        return ["reconnect_s": Date().timeIntervalSince(t), "disconnected_seen": gone.count, "reattached_seen": back.count,
                "ready_at_drop": s.count(.ready), "bound_at_drop": s.count(.bound) + s.count(.running)]
    }
}

/// Times a cheap authenticated API call (GET /v1/summary) at a fixed interval from its own task.
final class LatencyPoller: Sendable {
    private let probes = Mutex<[(at: Double, latency: Double)]>([])
    private let task = Mutex<Task<Void, Never>?>(nil)

    init(client: PilotClient, every: Double) {
        let t = Task { [self] in
            while !Task.isCancelled {
                let c = ContinuousClock.now
                if (try? await client.summary()) != nil {
                    let d = ContinuousClock.now - c
                    let s = Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
                    self.probes.withLock { $0.append((Date().timeIntervalSince1970, s)) }
                }
                try? await Task.sleep(for: .milliseconds(Int(every * 1000)))
            }
        }
        task.withLock { $0 = t }
    }

    var count: Int { probes.withLock { $0.count } }

    func samples(from index: Int) -> [(at: Double, latency: Double)] { probes.withLock { Array($0[min(index, $0.count)...]) } }

    /// Stops probing; returns every sample.
    func stop() -> [(at: Double, latency: Double)] {
        task.withLock { $0?.cancel() }
        return probes.withLock { $0 }
    }
}
