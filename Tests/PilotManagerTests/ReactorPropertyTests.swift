import Foundation
import PilotCore
import PilotProtocol
import PilotStore
import Testing
@testable import PilotManager

/// Random event sequences against the reactor, checking after every event: no agent is given more
/// than it has, every task is in exactly one state, journal numbers strictly increase, and every
/// change of a task's state is journaled exactly once.
@Suite struct ReactorPropertyTests {
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    final class Clock: @unchecked Sendable { var now = 1_000.0 }

    @Test(arguments: Array(UInt64(1)...UInt64(12)))
    func invariantsHoldOverRandomEvents(seed: UInt64) throws {
        var rng = SplitMix(state: seed)
        let f = try ManagerFixture { $0.heartbeatTimeout = 5; $0.retryDelay = 0.5 }
        defer { f.cleanup() }
        let clock = Clock()
        let core = f.core
        core.clock = { clock.now }
        var conns: [String: ConnectionID] = [:]
        var submitted: Int64 = 0
        var nextReply: ReplyID = 1000
        let names = ["n1", "n2", "n3"]
        for _ in 0..<400 {
            let roll = Int.random(in: 0..<100, using: &rng)
            switch roll {
            case 0..<8:
                let name = names.randomElement(using: &rng)!
                if conns[name] == nil {
                    let c = core.connect()
                    conns[name] = c
                    // After a reconnect the agent reports what it still runs.
                    let id = core.reactor.agentByUUID[name]
                    let running = core.reactor.live.values.filter { $0.agent == id && ($0.state == .running || $0.state == .bound) }
                        .map { RunningTask(key: TaskKey(task: $0.id, attempt: $0.attempt), pid: 1, startedAt: clock.now) }
                    _ = try? core.register(AgentHello(token: "", agentUUID: name, hostname: name, pilot: nil,
                                                      resources: .uniform(hostname: name, domains: 1, coresPerDomain: 3), deadline: nil,
                                                      running: running.filter { _ in Bool.random(using: &rng) }), connection: c)
                }
            case 8..<12:
                if let (name, c) = conns.randomElement(using: &rng) {
                    conns[name] = nil
                    core.post(.agentDisconnected(connection: c))
                }
            case 12..<30:
                let n = Int.random(in: 1...4, using: &rng)
                var spec = TaskSpec(command: ["/bin/true"], request: ResourceRequest(cores: Int.random(in: 1...2, using: &rng)))
                spec.retries = Int.random(in: 0...2, using: &rng)
                nextReply += 1
                if case .submitted(let r)? = try? core.call({ .submit(SubmitRequest(tasks: Array(repeating: spec, count: n)), reply: $0) }) {
                    submitted = r.first + Int64(r.count) - 1
                }
            case 30..<45:
                core.tick()
            case 45..<60:
                // An agent reports starts of some of its bound tasks.
                if let (name, c) = conns.randomElement(using: &rng), let id = core.reactor.agentByUUID[name] {
                    let bound = core.reactor.live.values.filter { $0.agent == id && $0.state == .bound }
                        .filter { _ in Bool.random(using: &rng) }
                        .map { RunningTask(key: TaskKey(task: $0.id, attempt: $0.attempt), pid: 1, startedAt: clock.now) }
                    core.post(.agentMessage(.started(bound), connection: c))
                }
            case 60..<80:
                // ... and ends of some, successful or not, stale attempts included.
                if let (name, c) = conns.randomElement(using: &rng), let id = core.reactor.agentByUUID[name] {
                    let mine = core.reactor.live.values.filter { $0.agent == id && ($0.state == .bound || $0.state == .running || $0.state == .canceled) }
                    let outcomes = mine.filter { _ in Bool.random(using: &rng) }.map {
                        TaskOutcome(key: TaskKey(task: $0.id, attempt: $0.attempt - (Int.random(in: 0..<10, using: &rng) == 0 ? 1 : 0)),
                                    kind: .exited, exitCode: Bool.random(using: &rng) ? 0 : 1, startedAt: clock.now, endedAt: clock.now)
                    }
                    core.post(.agentMessage(.finished(outcomes), connection: c))
                    core.post(.agentMessage(.heartbeat, connection: c))
                }
            case 80..<88:
                if submitted > 0 {
                    let ids = (0..<3).map { _ in Int64.random(in: 1...submitted, using: &rng) }
                    _ = try? core.cancel(ids)
                }
            default:
                clock.now += Double.random(in: 0...3, using: &rng)
                core.post(.timer)
            }
            try check(core, submitted: submitted)
        }
    }

    func check(_ core: RecordingShell, submitted: Int64) throws {
        let r = core.reactor
        // No over-allocation: what bound and running tasks hold fits each agent.
        var held: [Int: Int] = [:]
        for row in r.live.values where row.state == .bound || row.state == .running || (row.state == .canceled && row.binding != nil && r.scheduler.binding(of: row.id) != nil) {
            guard let b = r.scheduler.binding(of: row.id) else { continue }
            for p in b.placements { held[p.agent, default: 0] += p.ranks.reduce(0) { $0 + $1.cores.count } }
        }
        for (agent, cores) in held {
            let a = try #require(r.agents[agent])
            #expect(cores <= a.resources.coreCount, "agent \(agent) holds \(cores) of \(a.resources.coreCount) cores")
            if let u = r.scheduler.usage(of: agent) { #expect(u.freeCores >= 0) }
        }
        // Every task in exactly one state: the counts add up to what was submitted, and agree with
        // the rows (in memory, else committed).
        let total = r.counts.values.reduce(0, +)
        #expect(Int64(total) == submitted)
        var tally: [TaskState: Int] = [:]
        if submitted > 0 {
            let stored = Dictionary(try core.store.tasks(state: nil, after: 0, limit: 100_000).map { ($0.id, $0.state) }, uniquingKeysWith: { a, _ in a })
            for id in 1...submitted {
                let s = try #require(r.live[id]?.state ?? stored[id], "task \(id) has no state")
                tally[s, default: 0] += 1
            }
        }
        for s in TaskState.allCases { #expect(tally[s, default: 0] == r.counts[s, default: 0], "\(s): \(tally[s, default: 0]) rows, counted \(r.counts[s, default: 0])") }
        // Journal: strictly increasing, and per task a path of real changes ending where the task is.
        let seqs = core.journal.map(\.seq)
        #expect(zip(seqs, seqs.dropFirst()).allSatisfy { $0 < $1 })
        var last: [Int64: TaskState] = [:]
        for rec in core.journal {
            guard let state = rec.kind.taskState, let t = rec.task else { continue }
            for id in t...(rec.taskEnd ?? t) {
                if let prev = last[id] { #expect(prev != state, "task \(id) journaled \(state) twice in a row") }
                last[id] = state
            }
        }
        let committed = Dictionary(try core.store.tasks(state: nil, after: 0, limit: 100_000).map { ($0.id, $0.state) }, uniquingKeysWith: { a, _ in a })
        for (id, s) in committed { #expect(last[id] == s, "task \(id) is \(s) in the store, journal says \(String(describing: last[id]))") }
    }
}
