import Foundation
import PilotCore
import PilotQuantum
import PilotSlurm
import PilotWorkflow
import Testing

/// ≥ 1 000 mutated cases per format against the parsers: each either parses or throws the module's
/// typed error; none crashes. (A crash fails the whole test process.)
@Suite struct ParserFuzzTests {
    static let cases = Int(ProcessInfo.processInfo.environment["PILOT_FUZZ_CASES"] ?? "") ?? 1000
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func source(_ rel: String) throws -> String { try String(contentsOf: Self.root.appendingPathComponent(rel), encoding: .utf8) }

    @Test func clusterProfiles() throws {
        let good = try source("Profiles/local.yaml") + "\n" + (try source("Profiles/gpu-large.yaml"))
        var m = Mutator(state: 11)
        var errors = 0
        for _ in 0..<Self.cases {
            do { _ = try ClusterProfile.parse(yaml: m.mutate(good), file: "fuzz.yaml") } catch {
                errors += 1
                #expect(!error.description.isEmpty)
            }
        }
        #expect(errors > Self.cases / 2)
    }

    @Test func qpuProfiles() throws {
        let good = try source("Profiles/qpu/superconducting-27.yaml")
        var m = Mutator(state: 12)
        var errors = 0
        for _ in 0..<Self.cases {
            do { _ = try QPUDeviceProfile.parse(yaml: m.mutate(good), fileName: "fuzz.yaml") } catch {
                errors += 1
                #expect(!"\(error)".isEmpty)
            }
        }
        #expect(errors > Self.cases / 2)
    }

    @Test func qasmCircuits() throws {
        let good = RandomCircuit.make(qubits: 5, depth: 6, seed: 3).qasm()
        var m = Mutator(state: 13)
        var errors = 0
        for _ in 0..<Self.cases {
            do { _ = try QASMParser.parse(m.mutate(good), fileName: "fuzz.qasm") } catch {
                errors += 1
                #expect("\(error)".contains("fuzz.qasm"))
            }
        }
        #expect(errors > Self.cases / 2)
        // Deep parentheses in a parameter must not exhaust the stack.
        let deep = "OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[1];\nrx(" + String(repeating: "(", count: 100_000) + "1" + String(repeating: ")", count: 100_000) + ") q[0];\n"
        #expect(throws: QuantumError.self) { try QASMParser.parse(deep, fileName: "deep.qasm") }
    }

    @Test func taskSpecsAsJSON() throws {
        var spec = TaskSpec(name: "x", command: ["echo", "{i}"], request: ResourceRequest(cores: 2, gpus: 1, qpu: QPUSelector(device: "d")))
        spec.timeLimit = 10
        let good = String(decoding: try JSONEncoder().encode(spec), as: UTF8.self)
        var m = Mutator(state: 14)
        var refused = 0
        for _ in 0..<Self.cases {
            do {
                let t = try JSONDecoder().decode(TaskSpec.self, from: Data(m.mutate(good).utf8))
                try t.validate()
            } catch { refused += 1 }
        }
        #expect(refused > Self.cases / 2)
    }

    @Test func nestingGuard() {
        #expect(InputLimits.nestingViolation(in: "a: [1, {b: 2}]") == nil)
        let v = InputLimits.nestingViolation(in: "x:\n  y: " + String(repeating: "[", count: 100))
        #expect(v?.line == 2)
    }
}

extension ParserFuzzTests {
    @Test func taskFiles() throws {
        let good = try source("Examples/hello.yaml")
        var m = Mutator(state: 15)
        var errors = 0
        for _ in 0..<Self.cases {
            do { _ = try TaskFile.parse(m.mutate(good), file: "fuzz.yaml") } catch {
                errors += 1
                #expect(error.description.hasPrefix("fuzz.yaml"))
            }
        }
        #expect(errors > Self.cases / 3)
    }

    @Test func workflowFiles() throws {
        let good = try source("Examples/mixed-motifs.yaml")
        var m = Mutator(state: 16)
        var errors = 0
        for _ in 0..<Self.cases {
            do { _ = try Workflow.parse(yaml: m.mutate(good), file: "fuzz.yaml") } catch {
                errors += 1
                #expect("\(error)".contains("fuzz.yaml"))
            }
        }
        #expect(errors > Self.cases / 3)
    }
}
