import ArgumentParser
import Foundation
import PilotCore

extension BenchCommand {
    struct SchedulerBench: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "scheduler",
            abstract: "The scheduler core alone: decisions/s on a synthetic cluster (default 1 000 agents × 64 cores).",
            discussion: """
            Fills the cluster from a queue of --queue 1-core tasks, then runs --rounds steady-state rounds: release
            the oldest --churn bindings (as if they finished), schedule again. decisions/s = bindings made / time spent
            in release + schedule, so each decision pays for the release that made room for it. Run with --queue 10
            and --queue 1000000 to see the per-decision cost does not depend on the queue length.
            """)
        @Option(help: "Agents.") var agents = 1000
        @Option(help: "Cores per agent (4 NUMA domains).") var cores = 64
        @Option(help: "Ready tasks kept queued (refilled as tasks are bound).") var queue = 1_000_000
        @Option(help: "Bindings released per round.") var churn = 10_000
        @Option(help: "Steady-state rounds.") var rounds = 50
        @Option(help: "Tasks per core (prefetch depth).") var prefetch = 1
        @Option(help: "Also append every JSON line to this file.") var out: String?

        func run() throws {
            BenchLine.outFile = out
            var s = Scheduler()
            let domains = cores % 4 == 0 ? 4 : 1
            for a in 0..<agents {
                try s.addAgent(a, resources: .uniform(hostname: "n\(a)", domains: domains, coresPerDomain: cores / domains), depth: prefetch)
            }
            let req = ResourceRequest(cores: 1)
            var next: Int64 = 0
            let target = queue
            func refill(_ s: inout Scheduler) {
                while s.queuedCount < target { s.enqueue(next, request: req); next += 1 }
            }
            refill(&s)
            var bound: [Int64] = []
            bound.reserveCapacity(agents * cores * prefetch)
            var head = 0
            let fillStart = ContinuousClock.now
            var filled = 0
            while true {
                let got = s.schedule(now: 0, limit: 20_000)
                if got.isEmpty { break }
                filled += got.count
                for b in got { bound.append(b.task) }
            }
            let fillTime = seconds(ContinuousClock.now - fillStart)
            refill(&s)
            BenchLine.print(["workload": "scheduler-fill", "n": filled, "wall_s": fillTime, "decisions_per_s": Double(filled) / fillTime,
                             "agents": agents, "cores": cores, "queue": queue, "prefetch": prefetch, "peak_rss_mb": peakRSSMiB()])
            var decisions = 0
            var spent = Duration.zero
            var cpu = 0.0
            for _ in 0..<rounds {
                let c0 = processCPUSeconds()
                let t = ContinuousClock.now
                let end = min(head + churn, bound.count)
                for i in head..<end { s.release(bound[i]) }
                head = end
                let got = s.schedule(now: 0, limit: .max)
                spent += ContinuousClock.now - t
                cpu += processCPUSeconds() - c0
                decisions += got.count
                for b in got { bound.append(b.task) }
                if head > 1_000_000 { bound.removeFirst(head); head = 0 }
                refill(&s)
            }
            let wall = seconds(spent)
            // CPU time too: on a shared box the wall clock also counts time this thread was not running.
            BenchLine.print(["workload": "scheduler", "n": decisions, "wall_s": wall, "decisions_per_s": Double(decisions) / wall,
                             "cpu_s": cpu, "decisions_per_cpu_s": Double(decisions) / cpu,
                             "us_per_decision": wall / Double(max(decisions, 1)) * 1e6, "agents": agents, "cores": cores,
                             "queue": queue, "prefetch": prefetch, "peak_rss_mb": peakRSSMiB()])
        }
    }
}

func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }

/// User + system CPU time of this process (all threads), in seconds.
func processCPUSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// CPU time of the calling thread, in seconds.
func threadCPUSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// CPU time of reaped children (the task processes), in seconds.
func childrenCPUSeconds() -> Double {
    var u = rusage()
    getrusage(RUSAGE_CHILDREN.rawValue, &u)
    return Double(u.ru_utime.tv_sec) + Double(u.ru_utime.tv_usec) / 1e6 + Double(u.ru_stime.tv_sec) + Double(u.ru_stime.tv_usec) / 1e6
}
