import PilotCore
import Testing
@testable import PilotWorkflow

@Suite struct GeneratorTests {
    func tasks(_ w: Workload) -> [PlannedTask] {
        if case .tasks(let t) = w.plan { return t }
        Issue.record("workload has no task list")
        return []
    }

    @Test func ensembleIsTheProductInDeclarationOrderWithTemplatesExpanded() throws {
        let wf = try TestSupport.load("good/ensemble.yaml")
        let w = try MotifGenerator.workload(for: wf.stages[0], context: TestSupport.context)
        let t = tasks(w)
        #expect(t.count == 4 * 3 * 2)
        #expect(t.map(\.localIndex) == Array(0..<24))
        #expect(t[0].spec.name == "prep[0]")
        #expect(t[23].spec.name == "prep[23]")
        #expect(t[5].spec.arrayIndex == 5)
        // Last variable fastest: index 5 = x 0, theta index 2, seed index 1.
        let argv = t[5].spec.command[2]
        #expect(argv.hasPrefix("echo 5 0 0.3 > /runs/wf-1/prep/out-5.txt"))
        #expect(t[6].spec.command[2].hasPrefix("echo 6 1 0.1 "))
        #expect(t[0].spec.request.coresPerRank == 2)
        #expect(t[0].spec.request.memoryBytes == 1 << 30)
        #expect(t[0].spec.request.custom == [.init(name: "license", amount: 1)])
        #expect(t[0].spec.retries == 1)
        #expect(t[0].spec.priority == 5)
        #expect(t[0].spec.timeRequest == 30)
        #expect(t[0].spec.environment["OMP_NUM_THREADS"] == "1")
        #expect(w.hints.manySmallTasks)
        for task in t { try task.spec.validate() }
    }

    @Test func seedsAreDeterministicAndDependOnTheWorkflowSeed() throws {
        let wf = try TestSupport.load("good/ensemble.yaml")
        let a = tasks(try MotifGenerator.workload(for: wf.stages[0], context: TestSupport.context))
        let b = tasks(try MotifGenerator.workload(for: wf.stages[0], context: TestSupport.context))
        var other = TestSupport.context
        other.seed = 43
        let c = tasks(try MotifGenerator.workload(for: wf.stages[0], context: other))
        #expect(a.map(\.spec.command) == b.map(\.spec.command))
        #expect(a.map(\.spec.command) != c.map(\.spec.command))
        let seeds = Set((0..<2).map { SeedSequence.seed(root: 42, stage: "prep", variable: "s", index: $0) })
        #expect(seeds.count == 2)
        #expect(seeds.allSatisfy { $0 < 1 << 63 })
        // The seed variable varies fastest, so tasks 0 and 1 differ in their seed argument.
        #expect(Set([a[0].spec.command[3], a[1].spec.command[3]]) == Set(seeds.map(String.init)))
        #expect(a[0].spec.command[3] == a[2].spec.command[3])
    }

    @Test func coupledIsOneGangTask() throws {
        let wf = try TestSupport.load("good/coupled.yaml")
        let w = try MotifGenerator.workload(for: wf.stages[0], context: TestSupport.context)
        let t = tasks(w)
        #expect(t.count == 1)
        let r = t[0].spec.request
        #expect(r == ResourceRequest(cores: 2, gpus: 1, memoryBytes: 4 << 30, nodes: 2, ranksPerNode: 4))
        #expect(r.isGang)
        #expect(w.hints.gang)
        #expect(t[0].spec.command.last == "/runs/wf-1/mpi/state.bin")
        #expect(t[0].spec.timeLimit == 3600)
    }

    @Test func cuttingDefersItsFanOutAndPlansAFanIn() throws {
        let wf = try TestSupport.load("good/cutting.yaml")
        let w = try MotifGenerator.workload(for: wf.stages[0], context: TestSupport.context)
        guard case .twoPhase(let p) = w.plan, case .deferred(let plan) = p.fanOut else {
            Issue.record("not a deferred two-phase plan"); return
        }
        #expect(plan.circuitSource == .file(path: "/runs/wf-1/circuits/wide12.qasm"))
        #expect(plan.maxFragmentQubits == 7)
        #expect(plan.observables == ["ZZZZZZZZZZZZ", "XIIIIIIIIIII"])
        #expect(plan.shots == 4000)
        #expect(plan.qpu == QPUSelector(device: "superconducting-27"))
        #expect(p.fanOutTemplate.kind == .quantum)
        #expect(p.fanOutTemplate.request.qpu == plan.qpu)
        #expect(p.fanIn.name == "cut[reconstruct]")
        #expect(w.knownTaskCount == nil)

        let r1 = try MotifGenerator.workload(for: wf.stages[1], context: TestSupport.context)
        let r2 = try MotifGenerator.workload(for: wf.stages[1], context: TestSupport.context)
        guard case .twoPhase(let q1) = r1.plan, case .deferred(let rp1) = q1.fanOut,
              case .twoPhase(let q2) = r2.plan, case .deferred(let rp2) = q2.fanOut,
              case .random(let qubits, let depth, let seed) = rp1.circuitSource else {
            Issue.record("random circuit plan missing"); return
        }
        #expect(qubits == 8 && depth == 3)
        #expect(rp1.circuitSource == rp2.circuitSource)
        #expect(seed == SeedSequence.seed(root: 42, stage: "cut_random", variable: "circuit", index: 0))
    }

    @Test func iterativePlansCarryDriverParamsAndRounds() throws {
        let wf = try TestSupport.load("good/iterative.yaml")
        let w = try MotifGenerator.workload(for: wf.stages[0], context: TestSupport.context)
        guard case .iterative(let plan) = w.plan else { Issue.record("not iterative"); return }
        #expect(plan.driver == .builtin("vqe"))
        #expect(plan.maxRounds == 40)
        #expect(plan.params["qubits"] == .int(4))
        #expect(plan.params["optimizer"]?["name"] == .string("spsa"))
        #expect(plan.taskTemplate.request.qpu == QPUSelector(device: nil, minQubits: 4, count: 1))

        let w2 = try MotifGenerator.workload(for: wf.stages[1], context: TestSupport.context)
        guard case .iterative(let p2) = w2.plan else { Issue.record("not iterative"); return }
        #expect(p2.driver == .command(["python3", "step.py", "--round", "{round}", "--out", "/runs/wf-1/loop"]))
    }

    @Test func pipelineTasksDependOnTheSameItemsPreviousStepOnly() throws {
        let wf = try TestSupport.load("good/pipeline.yaml")
        let w = try MotifGenerator.workload(for: wf.stages[0], context: TestSupport.context)
        let t = tasks(w)
        #expect(t.count == 30)
        #expect(w.hints.colocateByKey)
        for task in t {
            let step = task.localIndex / 10, item = task.localIndex % 10
            #expect(task.dependsOn == (step == 0 ? [] : [task.localIndex - 10]))
            #expect(task.colocationKey == "stream/\(item)")
        }
        #expect(t[3].spec.name == "stream.prepare[3]")
        #expect(t[3].spec.command == ["prep", "--item", "3", "--out", "/runs/wf-1/stream/3.npz"])
        #expect(t[13].spec.request.qpu == QPUSelector(device: nil, count: 1))
        #expect(t[13].spec.request.coresPerRank == 0)
        #expect(t[27].spec.command == ["train", "--step", "train", "--i", "7"])
        #expect(t[27].spec.timeRequest == 300)
        #expect(t.allSatisfy { $0.spec.retries == 2 })
    }

    @Test func templatesLeaveShellBracesAlone() throws {
        var scope = Template.Scope()
        scope.index = true
        let t = try Template(parsing: "awk '{print $1}' ${HOME}/{i}", scope: scope)
        #expect(t.render(TestSupport.context, .init(stage: "s", index: 4)) == "awk '{print $1}' ${HOME}/4")
    }

    @Test func rangeParsingCountsWithoutOverflow() throws {
        let r = try IndexRange(parsing: "0-99:3, 200", maxCount: 1000)
        #expect(r.count == 35)
        #expect(r.value(at: 33) == 99)
        #expect(r.value(at: 34) == 200)
        #expect(throws: IndexRangeError.self) { try IndexRange(parsing: "0-999999999999999", maxCount: 10_000_000) }
        #expect(throws: IndexRangeError.self) { try IndexRange(parsing: "5-", maxCount: 10) }
    }
}
