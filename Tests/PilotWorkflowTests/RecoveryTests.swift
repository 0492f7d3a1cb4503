import PilotCore
import Testing
@testable import PilotWorkflow

/// `WorkflowEngine.recover`: an engine rebuilt from a history cut at some moment is the engine that
/// lived through it, asks for no stored task again, and goes on to the same end.
@Suite struct RecoveryTests {
    static let threeStages = """
        version: 1
        stages:
          a: {motif: ensemble, command: [a, "{i}"], count: 3}
          b:
            motif: pipeline
            needs: [a]
            items: "0-1"
            steps:
              - {name: one, command: [one, "{item}"]}
              - {name: two, command: [two, "{item}"]}
          c: {motif: iterative, needs: [b], driver: command, command: [step, "{round}"], max_rounds: 3}
        """

    func lead(_ yaml: String) throws -> ReplayLead {
        ReplayLead(engine: try WorkflowEngine(workflow: try TestSupport.parse(yaml), context: TestSupport.context))
    }

    func recover(_ lead: ReplayLead) throws -> (ReplayLead, WorkflowRecovery) {
        let r = try WorkflowEngine.recover(workflow: lead.engine.workflow, context: lead.engine.context, history: lead.history)
        var rebuilt = ReplayLead(engine: r.engine, history: lead.history, nextID: lead.nextID, clock: lead.clock)
        try rebuilt.perform(r.actions)
        return (rebuilt, r)
    }

    func submits(_ actions: [WorkflowAction]) -> [PlannedTask] {
        actions.flatMap { a -> [PlannedTask] in if case .submit(_, let t) = a { t } else { [] } }
    }

    @Test func engineRebuiltMidStageMatchesTheOriginalAndAdoptsEveryStoredTask() throws {
        var original = try lead(Self.threeStages)
        try original.start()
        for i in 0..<3 { try original.run("a", i); try original.end("a", i) }
        try original.run("b", 0)
        try original.end("b", 0)          // item 0 step one → its step two is released
        try original.run("b", 2)          // item 0 step two running at the crash
        let (rebuilt, r) = try recover(original)
        #expect(r.problems.isEmpty)
        #expect(submits(r.actions).isEmpty, "a stored task was asked for again")
        #expect(r.adopted.count == original.history.tasks.count)
        #expect(r.unclaimed.isEmpty)
        #expect(rebuilt.progress() == original.progress())
        #expect(rebuilt.engine.dag == original.engine.dag)

        // Both go on to the same end, asking for the same tasks.
        var a = original, b = rebuilt
        let (la, lb) = (a.log.count, b.log.count)
        try a.finishAll()
        try b.finishAll()
        #expect(Array(a.log[la...]) == Array(b.log[lb...]))
        #expect(b.engine.isFinished && b.engine.dag.succeeded)
        #expect(b.engine.progress(of: "c")?.rounds == 3)
        #expect(b.history.tasks.count == a.history.tasks.count)
    }

    @Test func iterativeStageRebuiltBetweenRoundsContinuesFromItsLastRound() throws {
        var original = try lead(Self.threeStages)
        try original.start()
        try original.finishAllUntil { $0.engine.progress(of: "c")?.rounds == 2 }
        let (rebuilt, r) = try recover(original)
        #expect(submits(r.actions).isEmpty)
        #expect(rebuilt.engine.progress(of: "c") == original.engine.progress(of: "c"))
        var b = rebuilt
        try b.finishAll()
        #expect(b.engine.progress(of: "c")?.rounds == 3)
        // One task per round: three in all, the third the only one issued after the restart.
        #expect(b.history.tasks.filter { $0.stage == "c" }.count == 3)
    }

    /// The manager submits the tasks an outcome releases before it commits that outcome, so a
    /// crash in between leaves tasks whose reason to exist is not stored yet.
    @Test func tasksStoredAheadOfTheOutcomeThatReleasedThemWaitToBeAdopted() throws {
        var original = try lead(Self.threeStages)
        try original.start()
        for i in 0..<3 { try original.run("a", i); try original.end("a", i) }
        var cut = original.history
        let k = original.slot("a", 2)
        cut.tasks[k].state = .running
        cut.tasks[k].endedAt = nil
        cut.tasks[k].resultJSON = nil
        let r = try WorkflowEngine.recover(workflow: original.engine.workflow, context: original.engine.context, history: cut)
        #expect(submits(r.actions).isEmpty)
        #expect(r.unclaimed.map(\.stage) == ["b", "b"])
        #expect(r.engine.progress(of: "a")?.count(.running) == 1)
        // When the outcome arrives, the engine asks for exactly the stored tasks.
        var e = r.engine
        let out = try e.handle(.taskFinished(workload: "a", localIndex: 2, succeeded: true))
        #expect(submits(out).map(\.localIndex) == r.unclaimed.map(\.localIndex))
    }

    @Test func fanOutAnswerIsReplayedNotPlannedAgain() throws {
        var original = try lead("""
            version: 1
            stages:
              cut: {motif: cutting, circuit: wide.qasm, max_fragment_qubits: 3, observables: [ZZZZ]}
            """)
        try original.start()
        try original.run("cut", 0)
        try original.end("cut", 0)
        let (rebuilt, r) = try recover(original)
        #expect(!r.actions.contains { if case .planFanOut = $0 { true } else { false } })
        #expect(r.adopted.count == 3)
        #expect(rebuilt.progress() == original.progress())
        // Without a stored answer (the crash came before any sub-experiment was stored), the plan is made again.
        var bare = original.history
        bare.fanOuts = [:]
        bare.tasks = []
        let again = try WorkflowEngine.recover(workflow: original.engine.workflow, context: original.engine.context, history: bare)
        #expect(again.actions.contains { if case .planFanOut("cut", _, _) = $0 { true } else { false } })
    }

    @Test func retryRerunsOnlyTheTasksThatDidNotSucceed() throws {
        var original = try lead("""
            version: 1
            stages:
              a: {motif: ensemble, command: [a, "{i}"], count: 4}
              b: {motif: ensemble, needs: [a], command: [b], count: 1}
            """)
        try original.start()
        try original.run("a", 0)
        try original.end("a", 0)
        try original.run("a", 1)
        try original.end("a", 1, ok: false)    // fails the stage; 2 and 3 are canceled
        #expect(original.engine.dag.state(of: "a")?.isFailed == true)
        let before = original.history.tasks.count
        try original.retry()
        // The second attempt numbers from 4: task 0 (done) is kept, 1–3 run again as 5–7.
        #expect(original.history.tasks[before...].map(\.localIndex) == [5, 6, 7])
        #expect(original.engine.progress(of: "a")?.count(.done) == 1)
        try original.run("a", 5)
        try original.end("a", 5)

        let (rebuilt, r) = try recover(original)
        #expect(r.problems.isEmpty)
        #expect(submits(r.actions).isEmpty)
        #expect(rebuilt.progress() == original.progress())
        var b = rebuilt
        try b.finishAll()
        #expect(b.engine.dag.succeeded)
        #expect(b.engine.progress(of: "a")?.count(.done) == 4)
        #expect(b.history.tasks.filter { $0.stage == "a" }.count == 7)
    }
}

extension ReplayLead {
    /// Runs open tasks to success, one at a time, until `stop` holds.
    mutating func finishAllUntil(_ stop: (ReplayLead) -> Bool) throws {
        while !stop(self), !engine.isFinished, let t = open.first {
            if t.state != .running { try run(t.stage, t.localIndex) }
            try end(t.stage, t.localIndex, result: "{\"v\":1}")
        }
    }
}
