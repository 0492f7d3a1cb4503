import Testing
@testable import PilotWorkflow

@Suite struct DAGTests {
    /// a → b → d, a → c → d, e alone.
    func diamond() throws -> WorkflowDAG {
        try WorkflowDAG(stages: [("d", ["b", "c"]), ("b", ["a"]), ("c", ["a"]), ("a", []), ("e", [])])
    }

    @Test func topologicalOrderRespectsNeedsAndDeclarationOrder() throws {
        let dag = try diamond()
        let order = dag.topologicalOrder
        #expect(order.count == 5)
        for (stage, needs) in [("d", ["b", "c"]), ("b", ["a"]), ("c", ["a"])] {
            for n in needs { #expect(order.firstIndex(of: n)! < order.firstIndex(of: stage)!) }
        }
        // Among ready stages the earliest declared goes first: d (declared first) as soon as it is ready.
        #expect(order == ["a", "b", "c", "d", "e"])
    }

    @Test func cycleIsNamedByItsPath() {
        #expect(throws: WorkflowError.self) { try WorkflowDAG(stages: [("x", ["y"]), ("y", ["z"]), ("z", ["x"])]) }
        do { _ = try WorkflowDAG(stages: [("ok", []), ("x", ["y"]), ("y", ["z"]), ("z", ["x"])]) } catch {
            #expect(error.code == .cycle)
            #expect(error.message == "dependency cycle: x → y → z → x")
            #expect(error.field == "stages.x.needs")
        }
    }

    @Test func unknownDependencyIsRejected() {
        do { _ = try WorkflowDAG(stages: [("a", ["nope"])]) ; Issue.record("accepted") } catch {
            #expect(error.code == .unknownStage)
        }
    }

    @Test func readySetsFollowFinishedStages() throws {
        var dag = try diamond()
        #expect(dag.readyStages == ["a", "e"])
        try dag.markRunning("a")
        #expect(dag.readyStages == ["e"])
        try dag.markDone("a")
        #expect(dag.readyStages == ["b", "c", "e"])
        try dag.markRunning("b"); try dag.markDone("b")
        #expect(!dag.readyStages.contains("d"))
        try dag.markRunning("c"); try dag.markDone("c")
        #expect(dag.readyStages == ["d", "e"])
        #expect(dag.readyStages(done: ["a"]) == ["b", "c", "e"])
        #expect(dag.readyStages(done: ["a", "b", "c"], started: ["e"]) == ["d"])
    }

    @Test func startingAStageWhoseNeedsAreNotDoneIsRefused() throws {
        var dag = try diamond()
        #expect(throws: WorkflowError.self) { try dag.markRunning("d") }
        #expect(throws: WorkflowError.self) { try dag.markDone("a") }
    }

    @Test func failurePropagatesToTransitiveDependentsOnly() throws {
        var dag = try diamond()
        try dag.markRunning("a"); try dag.markDone("a")
        try dag.markRunning("b"); try dag.markRunning("e")
        let downstream = try dag.markFailed("b", reason: "exit 1")
        #expect(downstream == ["d"])
        #expect(dag.state(of: "d") == .failed(reason: "dependency b failed", dependency: "b"))
        #expect(dag.state(of: "c") == .pending)
        #expect(dag.state(of: "e") == .running)
        #expect(dag.readyStages == ["c"])
        try dag.markRunning("c"); try dag.markDone("c"); try dag.markDone("e")
        #expect(dag.isFinished)
        #expect(!dag.succeeded)
        #expect(dag.failedStages == ["d", "b"]) // declaration order
    }

    @Test func retryResetsFailedStagesAndKeepsDoneOnes() throws {
        var dag = try diamond()
        try dag.markRunning("a"); try dag.markDone("a")
        try dag.markRunning("b"); try dag.markRunning("c"); try dag.markDone("c")
        try dag.markFailed("b", reason: "boom")
        let reset = dag.retryFailed()
        #expect(reset == ["b", "d"])
        #expect(dag.state(of: "a") == .done)
        #expect(dag.state(of: "c") == .done)
        #expect(dag.readyStages == ["b", "e"])
    }

    @Test func retryingOneStageResetsOnlyWhatItsFailureTookDown() throws {
        var dag = try WorkflowDAG(stages: [("a", []), ("b", []), ("x", ["a"]), ("y", ["b"])])
        try dag.markRunning("a"); try dag.markRunning("b")
        try dag.markFailed("a", reason: "1")
        try dag.markFailed("b", reason: "2")
        #expect(throws: WorkflowError.self) { try dag.retry("x") }
        let reset = try dag.retry("a")
        #expect(reset == ["a", "x"])
        #expect(dag.state(of: "b")?.isFailed == true)
        #expect(dag.state(of: "y") == .failed(reason: "dependency b failed", dependency: "b"))
    }
}
