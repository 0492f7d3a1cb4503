import Foundation
import PilotCore
import PilotMiniApps
import PilotQuantum
import PilotWorkflow
import Testing

@Suite struct DriverTests {
    @Test func vqeDriverEmitsWellFormedQuantumTasks() throws {
        var driver = try VQEDriver(plan: FakeAgent.plan("vqe", params: [("qubits", .int(4)), ("layers", .int(2)),
                                                                       ("batched", .bool(false))]),
                                   context: FakeAgent.context)
        let round = driver.nextRound(previousResults: [])
        let tasks = try #require(round)
        let parameters = HardwareEfficientAnsatz.parameterCountFor(qubits: 4, layers: 2)
        #expect(tasks.count == 1 + 2 * parameters)   // current point + two shifts per parameter
        #expect(Set(tasks.compactMap(\.name)).count == tasks.count)
        for t in tasks {
            try t.validate()
            #expect(t.kind == .quantum)
            #expect(t.request.qpu?.device == "ideal-sim")
            let job = try FakeAgent.job(of: t)
            #expect(job.device == "ideal-sim")
            #expect(job.shots == 0)
            #expect(job.observables.count == 3 + 4)   // 3 ZZ bonds + 4 X fields
            _ = try QASMParser.parse(job.circuit)
        }
    }

    /// A batched round is one estimator PUB task per slot, whose slices cover the round's
    /// evaluations in order.
    @Test func vqeDriverBatchesARoundIntoOneTaskPerSlot() throws {
        var driver = try VQEDriver(plan: FakeAgent.plan("vqe", params: [("qubits", .int(4)), ("layers", .int(2))]),
                                   context: FakeAgent.context, deviceSlots: ["ideal-sim": 4])
        let first = driver.nextRound(previousResults: [])
        let tasks = try #require(first)
        let evaluations = 1 + 2 * HardwareEfficientAnsatz.parameterCountFor(qubits: 4, layers: 2)
        #expect(tasks.count == 4)
        var bindings = 0
        for t in tasks {
            try t.validate()
            #expect(t.kind == .quantum)
            #expect(t.request.qpu?.device == "ideal-sim")
            let job = try PUBJob.parse(try #require(t.payload))
            #expect(job.primitive == .estimator)
            #expect(job.pubs.count == 1)
            #expect(job.pubs[0].resultShape == [job.pubs[0].bindingCount, 7])
            bindings += job.pubs[0].bindingCount
        }
        #expect(bindings == evaluations)

        let explicit = try VQEDriver(plan: FakeAgent.plan("vqe", params: [("tasks_per_round", .int(2))]),
                                     context: FakeAgent.context, deviceSlots: ["ideal-sim": 4])
        var e = explicit
        #expect(e.nextRound(previousResults: [])?.count == 2)
        #expect(throws: WorkflowError.self) {
            _ = try VQEDriver(plan: FakeAgent.plan("vqe", params: [("tasks_per_round", .int(0))]), context: FakeAgent.context)
        }
    }

    /// Driven through tasks whose results arrive shuffled, the driver takes exactly the steps of
    /// the in-process loop.
    @Test func vqeDriverFollowsTheInProcessLoop() async throws {
        var driver = try VQEDriver(plan: FakeAgent.plan("vqe", params: [("qubits", .int(3)), ("layers", .int(1)),
                                                                       ("seed", .int(9)), ("batched", .bool(false))]),
                                   context: FakeAgent.context)
        let reference = try await FakeAgent.referenceVQE(qubits: 3, layers: 1, seed: 9, rounds: 4)
        try await FakeAgent.drive(&driver, rounds: 4)
        #expect(driver.state.rounds.map(\.energy) == reference.history.map(\.energy))
        let summary = try MiniAppJSON.decode(VQEReport.self, from: driver.summary)
        #expect(summary.rounds == 4)
        #expect(summary.error == nil)
    }

    @Test func failedTaskEndsTheStageWithTheReason() throws {
        var driver = try VQEDriver(plan: FakeAgent.plan("vqe", params: [("tasks_per_round", .int(4))]), context: FakeAgent.context)
        let round = driver.nextRound(previousResults: [])
        let tasks = try #require(round)
        let outcomes = tasks.indices.map {
            TaskOutcomeSummary(localIndex: $0, name: tasks[$0].name, round: 0, succeeded: $0 != 3, reason: "device lost")
        }
        #expect(driver.nextRound(previousResults: outcomes) == nil)
        let summary = try MiniAppJSON.decode(VQEReport.self, from: driver.summary)
        #expect(summary.error?.contains("device lost") == true)
    }

    @Test func unknownParameterIsRefusedWithItsField() {
        do {
            _ = try VQEDriver(plan: FakeAgent.plan("vqe", params: [("qbits", .int(4))]), context: FakeAgent.context)
            Issue.record("accepted an unknown parameter")
        } catch {
            #expect(error.code == .driverFailed)
            #expect(error.field == "stages.vqe.params.qbits")
        }
    }

    @Test func cpuDeviceMakesKernelCommandTasks() throws {
        var driver = try QMLDriver(plan: FakeAgent.plan("qml", params: [("device", .string("cpu")), ("samples", .int(4)),
                                                                       ("test_samples", .int(0))]),
                                   context: FakeAgent.context)
        let round = driver.nextRound(previousResults: [])
        let tasks = try #require(round)
        for t in tasks {
            try t.validate()
            #expect(t.kind == .command)
            #expect(Array(t.command.prefix(4)) == ["pilot", "kernel", "quantum", "--job-json"])
            let job = try JSONDecoder().decode(QuantumJob.self, from: Data(t.command[4].utf8))
            #expect(job.device == "cpu")
        }
    }

    /// The factory the lead passes to the engine runs a whole workflow with both built-in drivers.
    @Test func engineRunsVQEAndQMLStages() async throws {
        let workflow = try Workflow.parse(yaml: """
            version: 1
            seed: 7
            stages:
              vqe:
                motif: iterative
                driver: vqe
                params: {qubits: 2, layers: 1, max_rounds: 3}
                max_rounds: 10
              qml:
                motif: iterative
                needs: [vqe]
                driver: qml
                params: {samples: 4, test_samples: 2, epochs: 2}
            """, file: "inline.yaml")
        var engine = try WorkflowEngine(workflow: workflow, context: FakeAgent.context, drivers: MiniAppDrivers.standard)
        var pending = engine.start()
        var summaries: [String: String] = [:]
        var done = false
        var guardCount = 0
        while !pending.isEmpty, guardCount < 100 {
            guardCount += 1
            var next: [WorkflowAction] = []
            for action in pending {
                switch action {
                case .submit(let stage, let planned):
                    let outcomes = try await FakeAgent.execute(planned.map(\.spec), firstIndex: planned[0].localIndex)
                    for o in outcomes {
                        next += try engine.handle(.taskFinished(workload: stage, localIndex: o.localIndex, succeeded: true,
                                                                resultJSON: o.resultJSON))
                    }
                case .stageDone(let stage, let progress): summaries[stage] = progress.result
                case .stageFailed(let stage, let reason): Issue.record("\(stage) failed: \(reason)")
                case .workflowDone(let ok): done = ok
                default: break
                }
            }
            pending = next
        }
        #expect(done)
        let vqe = try MiniAppJSON.decode(VQEReport.self, from: try #require(summaries["vqe"]))
        #expect(vqe.rounds == 3)
        let qml = try MiniAppJSON.decode(QMLReport.self, from: try #require(summaries["qml"]))
        #expect(qml.epochs == 2)
        #expect(qml.history.count == 2)
    }
}

/// What a manager restart relies on: a VQE stage rebuilt from its stored task outcomes, with a
/// round in flight, carries on exactly as the original engine does.
@Suite struct DriverRecoveryTests {
    @Test func vqeStageRebuiltMidRoundContinuesIdentically() async throws {
        let workflow = try Workflow.parse(yaml: """
            version: 1
            stages:
              vqe: {motif: iterative, driver: vqe, params: {qubits: 3, layers: 1, seed: 5, tasks_per_round: 3}, max_rounds: 6}
            """, file: "inline.yaml")
        var engine = try WorkflowEngine(workflow: workflow, context: FakeAgent.context, drivers: MiniAppDrivers.standard)
        var history = WorkflowHistory()
        var clock = 0.0
        var open: [PlannedTask] = []
        func take(_ actions: [WorkflowAction]) throws {
            for case .submit(let stage, let tasks) in actions {
                for t in tasks { history.tasks.append(.init(id: Int64(1000 + t.localIndex), stage: stage, localIndex: t.localIndex, state: .ready)) }
                open += tasks
                _ = try engine.handle(.tasksSubmitted(workload: stage, localIndices: tasks.map(\.localIndex)))
            }
        }
        /// Runs the open tasks on the simulator and feeds `count` of the outcomes (all by default).
        func runOpen(feeding count: Int? = nil) async throws {
            let batch = open
            let outcomes = try await FakeAgent.execute(batch.map(\.spec), firstIndex: batch[0].localIndex)
            for o in outcomes.prefix(count ?? outcomes.count) {
                clock += 1
                let k = history.tasks.firstIndex { $0.localIndex == o.localIndex }!
                history.tasks[k].state = .done
                history.tasks[k].endedAt = clock
                history.tasks[k].resultJSON = o.resultJSON
                open.removeAll { $0.localIndex == o.localIndex }
                try take(try engine.handle(.taskFinished(workload: "vqe", localIndex: o.localIndex, succeeded: true,
                                                     resultJSON: o.resultJSON, at: clock)))
            }
        }
        try take(engine.start())
        try await runOpen()
        try await runOpen()
        try await runOpen(feeding: 2)          // round 3 in flight at the "crash"
        let inFlight = open

        let r = try WorkflowEngine.recover(workflow: workflow, context: FakeAgent.context, drivers: MiniAppDrivers.standard,
                                           history: history)
        #expect(r.problems.isEmpty)
        #expect(!r.actions.contains { if case .submit = $0 { true } else { false } }, "a stored round was issued again")
        #expect(r.engine.progress(of: "vqe") == engine.progress(of: "vqe"))
        // The rest of round 3 arrives: both engines ask for the same round 4.
        var rebuilt = r.engine
        var outcomes: [TaskOutcomeSummary] = []
        for t in inFlight { outcomes += try await FakeAgent.execute([t.spec], firstIndex: t.localIndex) }
        var nextOriginal: [WorkflowAction] = [], nextRebuilt: [WorkflowAction] = []
        for o in outcomes {
            let e = WorkflowEvent.taskFinished(workload: "vqe", localIndex: o.localIndex, succeeded: true, resultJSON: o.resultJSON, at: 99)
            nextOriginal += try engine.handle(e)
            nextRebuilt += try rebuilt.handle(e)
        }
        #expect(!nextOriginal.isEmpty)
        #expect(nextRebuilt == nextOriginal)
        #expect(rebuilt.progress(of: "vqe")?.rounds == 3)
    }
}
