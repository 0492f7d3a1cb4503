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
            func refill(_ s: inout Scheduler) {
                while s.queuedCount < queue { s.enqueue(next, request: req); next += 1 }
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
            for _ in 0..<rounds {
                let t = ContinuousClock.now
                let end = min(head + churn, bound.count)
                for i in head..<end { s.release(bound[i]) }
                head = end
                let got = s.schedule(now: 0, limit: .max)
                spent += ContinuousClock.now - t
                decisions += got.count
                for b in got { bound.append(b.task) }
                if head > 1_000_000 { bound.removeFirst(head); head = 0 }
                refill(&s)
            }
            let wall = seconds(spent)
            BenchLine.print(["workload": "scheduler", "n": decisions, "wall_s": wall, "decisions_per_s": Double(decisions) / wall,
                             "us_per_decision": wall / Double(max(decisions, 1)) * 1e6, "agents": agents, "cores": cores,
                             "queue": queue, "prefetch": prefetch, "peak_rss_mb": peakRSSMiB()])
        }
    }
}

func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
