import PilotMiniApps
import PilotQuantum
import Testing

@Suite struct CuttingMiniAppTests {
    static func configuration(shots: Int) -> CuttingConfiguration {
        var c = CuttingConfiguration()
        c.qubits = 6
        c.depth = 2
        c.maxFragmentQubits = 4
        c.shots = shots
        c.seed = 3
        return c
    }

    @Test func exactSubexperimentsReconstructExactly() async throws {
        let report = try await CuttingMiniApp.run(Self.configuration(shots: 0), runner: .cpu())
        #expect(report.cuts >= 1)
        #expect(report.fragmentWidths.allSatisfy { $0 <= 4 })
        #expect(abs(report.error) < 1e-9)
    }

    @Test func sampledReconstructionIsWithinThreeStandardErrors() async throws {
        let report = try await CuttingMiniApp.run(Self.configuration(shots: 4000), runner: .cpu(concurrency: 2))
        #expect(report.standardError > 0)
        #expect(abs(report.error) <= 3 * report.standardError,
                "error \(report.error), standard error \(report.standardError)")
    }

    @Test func taskPathReconstructsLikeTheInProcessPath() async throws {
        let (_, plan) = try CuttingMiniApp.plan(Self.configuration(shots: 0))
        let tasks = try CuttingMiniApp.tasks(plan, device: "ideal-sim")
        #expect(tasks.count == plan.subexperiments.count)
        let outcomes = try await FakeAgent.execute(tasks, firstIndex: 0)
        let ordered = outcomes.sorted { $0.localIndex < $1.localIndex }.map(\.resultJSON)
        let values = try CuttingMiniApp.reconstruct(plan, resultJSONs: ordered)
        let direct = try await CuttingMiniApp.run(Self.configuration(shots: 0), runner: .cpu())
        #expect(abs(try #require(values.first).value - direct.exact) < 1e-9)
    }
}
