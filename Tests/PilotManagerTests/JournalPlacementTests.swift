import Foundation
import PilotCore
import PilotProtocol
import Testing
@testable import PilotManager

/// What reports and the dashboard read from the journal and `/v1/occupancy`: the slots a binding
/// holds, and when an attempt ran by the agent's clock.
@Suite struct JournalPlacementTests {
    final class ClockBox: @unchecked Sendable { var now = 1_000.0 }

    @Test func boundRecordNamesTheSlotsAndTheEndRecordTheRunTimes() throws {
        let clock = ClockBox()
        let f = try ManagerFixture(configure: { _ in }, clock: { clock.now })
        defer { f.cleanup() }
        let core = f.core
        let conn = core.connect()
        let agent = try core.register(AgentHello(token: "", agentUUID: "n1", hostname: "n1", pilot: nil,
                                                 resources: .uniform(hostname: "n1", domains: 2, coresPerDomain: 2, gpusPerDomain: 1),
                                                 deadline: nil, running: []), connection: conn)
        let sub = try core.submit(SubmitRequest(tasks: [TaskSpec(command: ["/bin/true"], request: ResourceRequest(cores: 2, gpus: 1))]))
        core.tick()
        let bound = try #require(core.journal.last { $0.kind == .taskBound && $0.task == sub.first })
        let detail = try JSONSerialization.jsonObject(with: Data(try #require(bound.detail).utf8)) as? [String: Any]
        let nodes = try #require(detail?["nodes"] as? [[String: Any]])
        let binding = try #require(core.reactor.live[sub.first]?.binding)
        #expect(nodes.count == 1)
        #expect(nodes[0]["agent"] as? Int == agent)
        #expect(nodes[0]["cores"] as? [Int] == binding.placements[0].cores)
        #expect(nodes[0]["gpus"] as? [Int] == binding.placements[0].gpus)
        #expect(binding.placements[0].cores.count == 2 && binding.placements[0].gpus.count == 1)

        // The occupancy map shows the task on exactly those slots, in their NUMA domains.
        let occ = core.reactor.occupancy()
        let a = try #require(occ.agents.first)
        #expect(a.domains.count == 2)
        let busyCores = a.domains.flatMap(\.cores).filter { $0.tasks == [sub.first] }.map(\.id)
        #expect(busyCores.sorted() == binding.placements[0].cores.sorted())
        #expect(a.domains.flatMap(\.gpus).filter { $0.tasks == [sub.first] }.map(\.id) == binding.placements[0].gpus)

        // A quick task: finished without a started report. Its end record carries the agent's times.
        clock.now = 1_005
        core.handle(.finished([TaskOutcome(key: TaskKey(task: sub.first, attempt: 1), kind: .exited, exitCode: 0,
                                           startedAt: 1_001.25, endedAt: 1_002.5)]), from: agent)
        core.tick()
        let end = try #require(core.journal.last { $0.kind == .taskFinished && $0.task == sub.first })
        let times = try JSONSerialization.jsonObject(with: Data(try #require(end.detail).utf8)) as? [String: Double]
        #expect(times == ["started": 1_001.25, "ended": 1_002.5])
        #expect(core.reactor.occupancy().agents[0].domains.flatMap(\.cores).allSatisfy { $0.tasks.isEmpty })
    }
}
