import PilotCore
import Testing
@testable import PilotWorkflow

/// A driver that asks for `perRound` tasks per round until `rounds` rounds have run,
/// and remembers what it was told.
struct ScriptedDriver: IterativeDriver {
    var perRound: Int
    var rounds: Int
    var template: TaskSpec
    var seen: [[TaskOutcomeSummary]] = []

    mutating func nextRound(previousResults: [TaskOutcomeSummary]) -> [TaskSpec]? {
        if !previousResults.isEmpty { seen.append(previousResults) }
        guard seen.count < rounds else { return nil }
        return (0..<perRound).map { k in
            var t = template
            t.command = ["eval", "round\(seen.count)", "\(k)"]
            return t
        }
    }

    var summary: String { "{\"rounds\":\(seen.count),\"last\":\(seen.last?.count ?? 0)}" }
}

@Suite struct EngineTests {
    func engine(_ yaml: String, drivers: @escaping IterativeDriverFactory = WorkflowEngine.commandDriversOnly) throws -> WorkflowEngine {
        try WorkflowEngine(workflow: try TestSupport.parse(yaml), context: TestSupport.context, drivers: drivers)
    }

    func submitted(_ actions: [WorkflowAction], _ stage: String) -> [Int] {
        actions.flatMap { a -> [Int] in
            if case .submit(let w, let tasks) = a, w == stage { return tasks.map(\.localIndex) }
            return []
        }
    }

    func finish(_ e: inout WorkflowEngine, _ stage: String, _ i: Int, ok: Bool = true, result: String? = nil,
                at: Double? = nil) throws -> [WorkflowAction] {
        try e.handle(.taskFinished(workload: stage, localIndex: i, succeeded: ok, reason: ok ? nil : "exit 1",
                                   resultJSON: result, at: at))
    }

    @Test func pipelineReleasesAnItemsNextStepBeforeTheFirstStepEnds() throws {
        var e = try engine("""
            version: 1
            stages:
              p:
                motif: pipeline
                items: "0-9"
                steps:
                  - {name: prepare, command: [prep, "{item}"]}
                  - {name: evaluate, command: [eval, "{item}"]}
            """)
        let first = e.start()
        #expect(submitted(first, "p") == Array(0..<10))
        let afterItem0 = try finish(&e, "p", 0)
        // Step 2 of item 0 (local index 10) goes out while step 1 of item 9 is still running.
        #expect(submitted(afterItem0, "p") == [10])
        #expect(e.progress(of: "p")?.count(.released) == 10)
        #expect(e.progress(of: "p")?.count(.done) == 1)
        guard case .submit(_, let tasks) = afterItem0.first(where: { if case .submit = $0 { true } else { false } }) else {
            Issue.record("no submit"); return
        }
        #expect(tasks[0].spec.name == "p.evaluate[0]")
        #expect(tasks[0].dependsOn == [0])
        var last: [WorkflowAction] = []
        for i in 1..<10 { #expect(submitted(try finish(&e, "p", i), "p") == [10 + i]) }
        for i in 10..<20 { last = try finish(&e, "p", i) }
        #expect(last.contains { if case .stageDone("p", _) = $0 { true } else { false } })
        #expect(last.last == .workflowDone(succeeded: true))
    }

    @Test func fanInIsReleasedOnlyAfterEveryFanOutTask() throws {
        var e = try engine("""
            version: 1
            stages:
              cut:
                motif: cutting
                circuit: wide.qasm
                max_fragment_qubits: 3
                observables: [ZZZZ]
            """)
        let start = e.start()
        guard case .planFanOut("cut", let plan, let template)? = start.last else { Issue.record("no planFanOut"); return }
        #expect(plan.circuitSource == .file(path: "wide.qasm"))
        #expect(template.spec.kind == .quantum)
        var sub = template.spec
        sub.payload = "{}"
        let planned = try e.handle(.fanOutPlanned(workload: "cut", tasks: [sub, sub, sub]))
        #expect(submitted(planned, "cut") == [0, 1, 2])
        #expect(submitted(try finish(&e, "cut", 2), "cut").isEmpty)
        #expect(submitted(try finish(&e, "cut", 0), "cut").isEmpty)
        let fanIn = try finish(&e, "cut", 1)
        #expect(submitted(fanIn, "cut") == [3])
        guard case .submit(_, let tasks)? = fanIn.first else { Issue.record("no submit"); return }
        #expect(tasks[0].dependsOn == [0, 1, 2])
        #expect(tasks[0].spec.name == "cut[reconstruct]")
        let done = try finish(&e, "cut", 3, result: "{\"value\":0.25}")
        guard case .stageDone("cut", let summary)? = done.first else { Issue.record("no stageDone"); return }
        #expect(summary.result == "{\"value\":0.25}")
        #expect(summary.count(.done) == 4)
        #expect(done.last == .workflowDone(succeeded: true))
    }

    @Test func fanOutPlanningFailureFailsTheStage() throws {
        var e = try engine("""
            version: 1
            stages:
              cut: {motif: cutting, circuit: missing.qasm, max_fragment_qubits: 3, observables: [ZZZZ]}
            """)
        _ = e.start()
        let out = try e.handle(.fanOutFailed(workload: "cut", reason: "no such file"))
        #expect(out.contains(.stageFailed("cut", reason: "could not plan the fan-out: no such file")))
        #expect(out.last == .workflowDone(succeeded: false))
    }

    @Test func iterativeDriverRunsRoundByRound() throws {
        let factory: IterativeDriverFactory = { plan, _ throws(WorkflowError) in
            ScriptedDriver(perRound: 2, rounds: plan.params["rounds"]?.intValue ?? 0, template: plan.taskTemplate)
        }
        var e = try engine("""
            version: 1
            stages:
              vqe: {motif: iterative, driver: vqe, params: {rounds: 3}, max_rounds: 10}
            """, drivers: factory)
        #expect(submitted(e.start(), "vqe") == [0, 1])
        #expect(submitted(try finish(&e, "vqe", 0, result: "{\"e\":1}"), "vqe").isEmpty)
        let round2 = try finish(&e, "vqe", 1, result: "{\"e\":2}")
        #expect(submitted(round2, "vqe") == [2, 3])
        guard case .submit(_, let tasks)? = round2.first else { Issue.record("no submit"); return }
        #expect(tasks.map(\.spec.command) == [["eval", "round1", "0"], ["eval", "round1", "1"]])
        #expect(tasks[0].spec.name == "vqe[2]")
        #expect(e.progress(of: "vqe")?.rounds == 1)
        _ = try finish(&e, "vqe", 2)
        #expect(submitted(try finish(&e, "vqe", 3), "vqe") == [4, 5])
        _ = try finish(&e, "vqe", 4)
        let end = try finish(&e, "vqe", 5)
        guard case .stageDone("vqe", let s)? = end.first else { Issue.record("no stageDone"); return }
        #expect(s.rounds == 3)
        #expect(s.result == "{\"rounds\":3,\"last\":2}")
        #expect(end.last == .workflowDone(succeeded: true))
    }

    @Test func iterativeStopsAtMaxRounds() throws {
        let factory: IterativeDriverFactory = { plan, _ throws(WorkflowError) in
            ScriptedDriver(perRound: 1, rounds: .max, template: plan.taskTemplate)
        }
        var e = try engine("""
            version: 1
            stages:
              loop: {motif: iterative, driver: qml, max_rounds: 4}
            """, drivers: factory)
        var actions = e.start()
        var i = 0
        while !actions.contains(.workflowDone(succeeded: true)) {
            #expect(submitted(actions, "loop") == [i])
            actions = try finish(&e, "loop", i)
            i += 1
            if i > 10 { Issue.record("did not stop"); break }
        }
        #expect(i == 4)
        #expect(e.progress(of: "loop")?.rounds == 4)
    }

    @Test func commandDriverStopsWhenTheResultSaysConverged() throws {
        var e = try engine("""
            version: 1
            stages:
              loop: {motif: iterative, driver: command, command: [step, "{round}"], max_rounds: 50}
            """)
        guard case .submit(_, let t0)? = e.start().dropFirst().first else { Issue.record("no submit"); return }
        #expect(t0[0].spec.command == ["step", "0"])
        guard case .submit(_, let t1)? = try finish(&e, "loop", 0, result: "{\"energy\":-1}").first else {
            Issue.record("no second round"); return
        }
        #expect(t1[0].spec.command == ["step", "1"])
        let end = try finish(&e, "loop", 1, result: "{\"converged\":true}")
        guard case .stageDone(_, let s)? = end.first else { Issue.record("no stageDone"); return }
        #expect(s.result == "{\"converged\":true}")
    }

    @Test func builtinDriversNeedARegisteredFactory() throws {
        var e = try engine("""
            version: 1
            stages:
              vqe: {motif: iterative, driver: vqe}
            """)
        let out = e.start()
        #expect(out.contains(.stageFailed("vqe", reason: "no built-in driver 'vqe' is registered")))
    }

    static let chain = """
        version: 1
        stages:
          a: {motif: ensemble, command: [a, "{i}"], count: 3}
          b: {motif: coupled, command: [b], needs: a}
          c: {motif: ensemble, command: [c], count: 1}
        """

    @Test func aFailedStageFailsItsDependentsAndCancelsItsTasks() throws {
        var e = try engine(Self.chain)
        let start = e.start()
        #expect(submitted(start, "a") == [0, 1, 2])
        #expect(submitted(start, "c") == [0])
        _ = try finish(&e, "a", 0)
        let fail = try finish(&e, "a", 1, ok: false)
        #expect(fail == [.cancelTasks(workload: "a", localIndices: [2]),
                         .stageFailed("a", reason: "task a[1] failed: exit 1"),
                         .stageFailed("b", reason: "dependency a failed")])
        // The canceled task's late report changes nothing.
        #expect(try finish(&e, "a", 2).isEmpty)
        #expect(try finish(&e, "c", 0).last == .workflowDone(succeeded: false))
        #expect(e.dag.state(of: "c") == .done)
    }

    @Test func retryRerunsFailedStagesWithFreshIndicesAndKeepsDoneOnes() throws {
        var e = try engine(Self.chain)
        _ = e.start()
        _ = try finish(&e, "c", 0)
        _ = try finish(&e, "a", 0, ok: false)
        let retry = e.retryFailed()
        #expect(retry.contains(.stageStarted("a", motif: .ensemble, hints: PlacementHints(manySmallTasks: true))))
        #expect(submitted(retry, "a") == [3, 4, 5])
        #expect(submitted(retry, "c").isEmpty)
        #expect(e.progress(of: "a")?.attempt == 2)
        // Reports about the first attempt's tasks are ignored.
        #expect(try finish(&e, "a", 1).isEmpty)
        _ = try finish(&e, "a", 3)
        _ = try finish(&e, "a", 4)
        let b = try finish(&e, "a", 5)
        #expect(submitted(b, "b") == [0])
        #expect(try finish(&e, "b", 0).last == .workflowDone(succeeded: true))
    }

    @Test func toleratedFailuresLetTheStageFinish() throws {
        var e = try engine("""
            version: 1
            stages:
              p:
                motif: pipeline
                items: "0-2"
                max_failures: 1
                steps:
                  - {name: s1, command: [x]}
                  - {name: s2, command: [y]}
            """)
        _ = e.start()
        // Item 1 fails its first step: its second step is skipped, the others go on.
        #expect(submitted(try finish(&e, "p", 1, ok: false), "p").isEmpty)
        _ = try finish(&e, "p", 0)
        _ = try finish(&e, "p", 2)
        _ = try finish(&e, "p", 3)
        let end = try finish(&e, "p", 5)
        guard case .stageDone("p", let s)? = end.first else { Issue.record("no stageDone"); return }
        #expect(s.count(.done) == 4)
        #expect(s.count(.failed) == 1)
        #expect(s.count(.skipped) == 1)
        #expect(s.total == 6)
    }

    @Test func progressCountsStatesAndTimes() throws {
        var e = try engine("""
            version: 1
            stages:
              e: {motif: ensemble, command: [x], count: 4}
            """)
        _ = e.start()
        _ = try e.handle(.tasksSubmitted(workload: "e", localIndices: [0, 1, 2, 3], at: 1))
        _ = try e.handle(.taskStarted(workload: "e", localIndex: 1, at: 12))
        _ = try e.handle(.taskStarted(workload: "e", localIndex: 0, at: 10))
        _ = try finish(&e, "e", 0, at: 20)
        _ = try finish(&e, "e", 1, at: 18)
        let p = try #require(e.progress(of: "e"))
        #expect(p.count(.submitted) == 2)
        #expect(p.count(.done) == 2)
        #expect(p.count(.running) == 0)
        #expect(p.firstStart == 10)
        #expect(p.lastEnd == 20)
        #expect(p.state == .running)
    }

    @Test func impossibleEventsAreRejected() throws {
        var e = try engine(Self.chain)
        _ = e.start()
        #expect(throws: WorkflowError.self) { try e.handle(.taskStarted(workload: "zzz", localIndex: 0)) }
        #expect(throws: WorkflowError.self) { try e.handle(.taskStarted(workload: "b", localIndex: 0)) }
        #expect(throws: WorkflowError.self) { try e.handle(.taskFinished(workload: "a", localIndex: 99, succeeded: true)) }
        _ = try finish(&e, "a", 0)
        #expect(throws: WorkflowError.self) { try e.handle(.taskFinished(workload: "a", localIndex: 0, succeeded: true)) }
        #expect(throws: WorkflowError.self) { try e.handle(.fanOutPlanned(workload: "a", tasks: [])) }
    }

    @Test func mixedWorkflowRunsToCompletion() throws {
        let factory: IterativeDriverFactory = { plan, _ throws(WorkflowError) in
            ScriptedDriver(perRound: 1, rounds: 2, template: plan.taskTemplate)
        }
        var e = try WorkflowEngine(workflow: try TestSupport.load("good/mixed.yaml"), context: TestSupport.context,
                                   drivers: factory)
        var queue = e.start()
        var order: [String] = []
        var steps = 0
        while let a = queue.first {
            queue.removeFirst()
            steps += 1
            if steps > 10_000 { Issue.record("no progress"); break }
            switch a {
            case .stageStarted(let s, _, _): order.append(s)
            case .submit(let w, let tasks):
                for t in tasks { queue += try finish(&e, w, t.localIndex, result: "{\"value\":1}") }
            case .planFanOut(let w, _, let template):
                queue += try e.handle(.fanOutPlanned(workload: w, tasks: Array(repeating: template.spec, count: 5)))
            case .workflowDone(let ok): #expect(ok)
            default: break
            }
        }
        #expect(e.isFinished)
        #expect(e.dag.succeeded)
        #expect(order.first == "prep")
        #expect(order.last == "stream")
        #expect(order.firstIndex(of: "cut")! < order.firstIndex(of: "vqe")!)
        #expect(e.progress(of: "prep")?.count(.done) == 16)
        #expect(e.progress(of: "stream")?.count(.done) == 20)
        #expect(e.progress(of: "cut")?.result == "{\"value\":1}")
    }
}
