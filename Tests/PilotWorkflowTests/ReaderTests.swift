import PilotCore
import Testing
@testable import PilotWorkflow

@Suite struct ReaderTests {
    @Test(arguments: TestSupport.files(in: "good"))
    func goodFixturesRead(_ path: String) throws {
        let wf = try TestSupport.load(path)
        #expect(!wf.stages.isEmpty)
        #expect(wf.file == path)
        for stage in wf.stages { _ = try MotifGenerator.workload(for: stage, context: TestSupport.context) }
    }

    @Test func mixedFixtureHasEveryMotifAndItsDependencies() throws {
        let wf = try TestSupport.load("good/mixed.yaml")
        #expect(wf.name == "mixed-motifs")
        #expect(wf.seed == 1234)
        #expect(wf.stages.map(\.name) == ["prep", "cut", "mpi", "vqe", "stream"])
        #expect(wf.stages.map(\.motif) == [.ensemble, .cutting, .coupled, .iterative, .pipeline])
        #expect(wf.stage(named: "mpi")?.needs == ["prep"])
        #expect(wf.stage(named: "stream")?.needs == ["mpi", "vqe"])
        let prep = try #require(wf.stage(named: "prep"))
        #expect(prep.settings.memoryBytes == 1 << 30)
        #expect(prep.settings.qpu == QPUSelector(device: "ideal-sim", count: 1))
        #expect(prep.settings.custom == ["license": 1])
        #expect(prep.settings.time == 30)
        #expect(prep.settings.timeLimit == 120)
        // From `defaults`, not overridden by the stage.
        #expect(prep.settings.retries == 1)
        guard case .ensemble(let e) = prep.body else { Issue.record("prep is not an ensemble"); return }
        #expect(e.count == 16)
        guard case .cutting(let c) = try #require(wf.stage(named: "cut")).body else { Issue.record("cut"); return }
        #expect(c.maxFragmentQubits == 7)
        #expect(c.shots == 4000)
        #expect(c.device == "superconducting-27")
    }

    @Test func stepSettingsOverrideStageOverrideDefaults() throws {
        let wf = try TestSupport.parse("""
            version: 1
            defaults: {cores: 3, retries: 1, priority: 2, env: {A: a, B: b}}
            stages:
              p:
                motif: pipeline
                items: [x]
                retries: 4
                env: {B: stage}
                steps:
                  - {name: s1, command: [x], priority: 9, resources: {cores: 1}}
                  - {name: s2, command: [y], env: {C: step}}
            """)
        guard case .pipeline(let p) = wf.stages[0].body else { Issue.record("not a pipeline"); return }
        #expect(p.steps[0].settings.cores == 1)
        #expect(p.steps[0].settings.priority == 9)
        #expect(p.steps[0].settings.retries == 4)
        #expect(p.steps[1].settings.cores == 3)
        #expect(p.steps[1].settings.priority == 2)
        let env = (p.steps[1].settings.environment ?? []).map { "\($0.name)=\($0.value.source)" }
        #expect(env == ["A=a", "B=stage", "C=step"])
    }

    @Test func plainScalarsDoNotTurnIntoBooleansOrSexagesimals() throws {
        let wf = try TestSupport.parse("""
            version: 1
            stages:
              c:
                motif: cutting
                circuit: c.qasm
                max_fragment_qubits: 2
                observables: [ZZ]
                device: NO
                time: 1:30
            """)
        guard case .cutting(let c) = wf.stages[0].body else { Issue.record("not cutting"); return }
        #expect(c.device == "NO")
        #expect(wf.stages[0].settings.time == 90)
    }

    @Test func quotedNumbersAreNotIntegers() {
        let e = TestSupport.error("""
            version: 1
            stages:
              a: {motif: coupled, command: [x], nodes: "2"}
            """)
        #expect(e?.code == .wrongType)
        #expect(e?.field == "stages.a.nodes")
        #expect(e?.message == "must be an integer, got '2'")
    }

    @Test func refusesOversizedFilesBeforeParsing() {
        var options = WorkflowReader.Options()
        options.maxFileBytes = 1024
        let text = "version: 1\n# " + String(repeating: "x", count: 2000) + "\nstages: {a: {motif: coupled, command: [x]}}\n"
        #expect(throws: WorkflowError.self) { try WorkflowReader(options: options).read(yaml: text) }
        do { _ = try WorkflowReader(options: options).read(yaml: text) } catch {
            #expect(error.code == .tooLarge)
            #expect(error.message.contains("at most 1024"))
        }
    }

    @Test func refusesDeepBlockNesting() {
        var text = "version: 1\nstages:\n  a:\n    motif: iterative\n    driver: vqe\n    params:\n"
        for level in 0..<80 { text += String(repeating: " ", count: 6 + 2 * level) + "k\(level):\n" }
        let e = TestSupport.error(text)
        #expect(e?.code == .tooDeep)
        #expect(e?.line != nil)
    }

    @Test func aliasBombIsStoppedByTheNodeBudget() {
        var text = "version: 1\nx0: &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n"
        for k in 1..<9 {
            text += "x\(k): &a\(k) [" + Array(repeating: "*a\(k - 1)", count: 10).joined(separator: ", ") + "]\n"
        }
        text += "stages: {a: {motif: coupled, command: [x]}}\n"
        let e = TestSupport.error(text)
        #expect(e?.code == .tooLarge)
        #expect(e?.message.contains("aliases") == true)
    }

    @Test func sweepSeedsAndListsAreTyped() throws {
        let wf = try TestSupport.parse("""
            version: 1
            stages:
              e:
                motif: ensemble
                command: [run, "{params.a}", "{params.b}", "{params.s}"]
                sweep: {a: "0-10:5", b: [x, 2, 0.5, true], s: {seeds: 3}}
            """)
        guard case .ensemble(let e) = wf.stages[0].body else { Issue.record("not an ensemble"); return }
        #expect(e.count == 3 * 4 * 3)
        #expect(e.sweep.variables.map(\.name) == ["a", "b", "s"])
        guard case .list(let b) = e.sweep.variables[1].values else { Issue.record("b is not a list"); return }
        #expect(b == [.string("x"), .int(2), .double(0.5), .bool(true)])
        guard case .range(let a) = e.sweep.variables[0].values else { Issue.record("a is not a range"); return }
        #expect(a.values == [0, 5, 10])
    }

    @Test func errorDescriptionCarriesFileLineColumnAndField() {
        let e = WorkflowError(.invalidValue, "must be positive", file: "w.yaml", line: 3, column: 9, field: "stages.a.nodes")
        #expect(e.description == "w.yaml:3:9: stages.a.nodes: must be positive")
        let bare = WorkflowError(.cycle, "dependency cycle: a → a")
        #expect(bare.description == "dependency cycle: a → a")
    }

    @Test func suggestionsFindCloseWordsOnly() {
        #expect(Suggestion.closest(to: "comand", in: ["command", "count"]) == "command")
        #expect(Suggestion.closest(to: "needz", in: ["needs", "motif"]) == "needs")
        #expect(Suggestion.closest(to: "zebra", in: ["needs", "motif"]) == nil)
    }
}
