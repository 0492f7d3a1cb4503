import Foundation
import PilotCore
import PilotProtocol
import PilotStore
import Testing
@testable import PilotManager

/// A manager abandoned mid-workflow (as after kill -9) and a new one started on the same server
/// directory: the workflow's engine is rebuilt from the store, stored tasks are adopted rather than
/// submitted again, outcomes reported while the manager was away release the later stages, and
/// the workflow ends.
@Suite struct WorkflowRecoveryTests {
    static let yaml = """
        version: 1
        stages:
          a: {motif: ensemble, command: ["true"], count: 2}
          b: {motif: ensemble, needs: [a], command: ["true"], count: 2}
          c: {motif: iterative, needs: [b], driver: command, command: [step, "{round}"], max_rounds: 3}
        """

    func workflowTasks(_ core: RecordingShell, _ id: Int64) async throws -> [TaskInfo] {
        try await core.list(state: nil, after: 0, limit: 1000, workflow: id)
    }

    func outcome(_ t: TaskInfo) -> TaskOutcome {
        TaskOutcome(key: TaskKey(task: t.id, attempt: t.attempt), kind: .exited, exitCode: 0, startedAt: 1, endedAt: 2,
                    result: "{\"task\":\(t.id)}")
    }

    /// Plays the agent: every task bound to it ends successfully.
    func finishBound(_ core: RecordingShell, _ id: Int64, agent: Int) async throws {
        let bound = try await workflowTasks(core, id).filter { $0.state == .bound }
        await core.handle(.finished(bound.map(outcome)), from: agent)
        await core.tick()
    }

    func stageStates(_ info: WorkflowInfo?) -> [String] { info?.stages.map(\.state) ?? [] }

    @Test func workflowInFlightContinuesAfterRestartAndNoTaskIsSubmittedTwice() async throws {
        let first = try ManagerFixture()
        defer { first.cleanup() }
        let agent = try await first.registerAgent("n1", pilot: nil, cores: 4)
        let wf = try await first.core.submitWorkflow(WorkflowSubmitRequest(yaml: Self.yaml))
        await first.core.tick()
        try await finishBound(first.core, wf.id, agent: agent)
        // Stage b's two tasks are bound on the agent when the manager dies.
        let atCrash = try await workflowTasks(first.core, wf.id)
        #expect(atCrash.count == 4)
        #expect(atCrash.filter { $0.state == .bound }.count == 2)

        let second = try ManagerFixture(dir: first.dir)
        // The reactor rebuilt the workflows from the store when it started.
        let restored = await second.core.workflowInfo(wf.id)
        #expect(restored?.state == "running")
        #expect(stageStates(restored) == ["done", "running", "pending"])
        #expect(try await workflowTasks(second.core, wf.id).count == 4, "the restart submitted tasks again")

        // The agent comes back and reports that b's tasks ended while the manager was away.
        let b = atCrash.filter { $0.state == .bound }
        let hello = AgentHello(token: "secret", agentUUID: "n1--", hostname: "n1", pilot: nil,
                               resources: .uniform(hostname: "n1", domains: 1, coresPerDomain: 4), deadline: nil,
                               finished: b.map(outcome))
        let again = try second.core.register(hello)
        await second.core.tick()
        // The iterative stage runs its three rounds, one task each.
        for _ in 0..<3 {
            #expect(try await workflowTasks(second.core, wf.id).filter { $0.state == .bound }.count == 1)
            try await finishBound(second.core, wf.id, agent: again)
        }
        let end = await second.core.workflowInfo(wf.id)
        #expect(end?.state == "done")
        #expect(stageStates(end) == ["done", "done", "done"])
        #expect(end?.stages.last?.rounds == 3)
        let all = try await workflowTasks(second.core, wf.id)
        #expect(all.count == 7)
        #expect(all.allSatisfy { $0.state == .done })
        #expect(try second.store.workflows().first { $0.id == wf.id }?.state == "done")

        // A third manager finds it done and writes nothing for it.
        let third = try ManagerFixture(dir: first.dir)
        // The reactor rebuilt the workflows from the store when it started.
        let rebuilt = await third.core.workflowInfo(wf.id)
        #expect(rebuilt == end, "\(String(describing: rebuilt))\n\(String(describing: end))")
    }

    @Test func retryAfterRestartRerunsOnlyTheFailedTask() async throws {
        let first = try ManagerFixture()
        defer { first.cleanup() }
        let agent = try await first.registerAgent("n1", pilot: nil, cores: 4)
        let wf = try await first.core.submitWorkflow(WorkflowSubmitRequest(yaml: """
            version: 1
            stages:
              a: {motif: ensemble, command: ["true"], count: 3}
            """))
        await first.core.tick()
        let a = try await workflowTasks(first.core, wf.id)
        var outcomes = a.map(outcome)
        outcomes[1].exitCode = 1
        await first.core.handle(.finished(outcomes), from: agent)
        await first.core.tick()
        #expect(await first.core.workflowInfo(wf.id)?.state == "failed")

        let second = try ManagerFixture(dir: first.dir)
        // The reactor rebuilt the workflows from the store when it started.
        #expect(await second.core.workflowInfo(wf.id)?.state == "failed")
        let again = try await second.registerAgent("n1", pilot: nil, cores: 4)
        _ = try await second.core.retryWorkflow(wf.id)
        await second.core.tick()
        let rerun = try await workflowTasks(second.core, wf.id).filter { $0.state == .bound }
        #expect(rerun.count == 1, "only the failed task runs again")
        try await finishBound(second.core, wf.id, agent: again)
        let end = await second.core.workflowInfo(wf.id)
        #expect(end?.state == "done")
        #expect(end?.stages.first?.counts["done"] == 3)
        #expect(try second.store.workflows().first { $0.id == wf.id }?.retries == 1)
    }
}
