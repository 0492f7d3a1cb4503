import Foundation
import Testing
@testable import PilotQuantum

/// The OpenQASM 3 reader against circuits Qiskit exported itself (Fixtures/gen_qasm3.py), hand-written
/// programs for what Qiskit does not write, and malformed programs with their expected errors.
@Suite struct QASM3ReaderTests {
    static let fixtures = QASM3FixtureFile.load("qasm3_fixtures.json")
    static let qelib1Extras = QASM3FixtureFile.load("qelib1_extras.json")

    @Test func fixturesArePresent() {
        #expect(Self.fixtures.filter { $0.name.hasPrefix("random_") }.count >= 20)
        #expect(Self.fixtures.filter { $0.name.hasPrefix("stdgate_") }.count >= 29)
        #expect(Self.fixtures.contains { $0.bindings != nil })
        #expect(Self.qelib1Extras.count >= 10)
    }

    @Test(arguments: fixtures)
    func statevectorMatchesQiskit(_ fixture: QASM3FixtureFile.Circuit) throws {
        let circuit = try QASMParser.parse(fixture.qasm, fileName: fixture.name, bindings: fixture.bindings ?? [:])
        #expect(circuit.qubitCount == fixture.qubits)
        let state = try StateVectorSimulator().statevector(circuit)
        let distance = statevectorDistance(state, fixture.statevector, upToGlobalPhase: fixture.phase == "global")
        #expect(distance < 1e-9, "\(fixture.name): largest amplitude difference \(distance)")
    }

    /// rccx, rc3x, c3x, c3sqrtx and c4x expand to qelib1.inc's decompositions, which equal Qiskit's
    /// gate classes exactly (global phase included).
    @Test(arguments: qelib1Extras)
    func qelib1DecompositionsMatchQiskit(_ fixture: QASM3FixtureFile.Circuit) throws {
        let circuit = try QASMParser.parse(fixture.qasm, fileName: fixture.name)
        let state = try StateVectorSimulator().statevector(circuit)
        let distance = statevectorDistance(state, fixture.statevector, upToGlobalPhase: false)
        #expect(distance < 1e-9, "\(fixture.name): largest amplitude difference \(distance)")
    }

    @Test func qelib1DecompositionMayBeRedefinedWithTheSameSignature() throws {
        let source = """
        OPENQASM 2.0;
        include "qelib1.inc";
        gate rccx a, b, c { x a; }
        qreg q[3];
        rccx q[0], q[1], q[2];
        """
        let circuit = try QASMParser.parse(source)
        // The library's decomposition (9 gates) stays in use, as for native qelib1 gates.
        #expect(circuit.gateCount == 9)
        #expect(throws: QuantumError.self) {
            try QASMParser.parse("OPENQASM 2.0;\ninclude \"qelib1.inc\";\ngate c3x a, b { x a; }\n")
        }
    }

    @Test func parametersAreBoundByName() throws {
        let fixture = try #require(Self.fixtures.first { $0.bindings != nil })
        let parameterized = try QASMParser.parseParameterized(fixture.qasm, fileName: "p.qasm")
        #expect(parameterized.parameters == ["lam", "phi", "θ"])
        #expect(parameterized.template.qubitCount == 3)
        do {
            _ = try QASMParser.parse(fixture.qasm, fileName: "p.qasm")
            Issue.record("an unbound input must be refused")
        } catch {
            #expect(error.code == .invalidArgument)
            #expect(error.message == "input 'lam' has no value")
            #expect(error.line == 3)
        }
        var values = fixture.bindings ?? [:]
        values["typo"] = 1
        #expect(throws: QuantumError.self) { try parameterized.bind(values) }
        values["typo"] = nil
        values["θ"] = .infinity
        #expect(throws: QuantumError.self) { try parameterized.bind(values) }
        // The same template binds to different circuits.
        let a = try parameterized.bind(["lam": 0.1, "phi": 0.2, "θ": 0.3])
        let b = try parameterized.bind(["lam": 0.1, "phi": 0.2, "θ": 0.4])
        #expect(a.operations.count == b.operations.count)
        #expect(a != b)
    }

    @Test func handWrittenProgramsUseTheFullSubset() throws {
        let source = """
        OPENQASM 3;
        include "stdgates.inc";
        /* single qubits, registers, ranges and negative indices */
        qubit a;
        qubit[4] r;
        bit[5] c;
        bit flag;
        gate twist(t) x, y { gphase(t / 2); cphase(t) x, y; phase(-t) y; CX x, y; }
        h a;
        U(π/2, 0, τ/2) r[0];
        x r[1:3];
        cx a, r[-1];
        twist(pi ** 2 / 10) r[0], r[1];
        gphase(-euler);
        barrier;
        c[0:3] = measure r;
        measure a -> flag;
        reset a;
        """
        let circuit = try QASMParser.parse(source, fileName: "full.qasm")
        #expect(circuit.qubitCount == 5)
        #expect(circuit.clbitCount == 6)
        let t = Double.pi * Double.pi / 10
        #expect(abs(circuit.globalPhase - (t / 2 - 2.718281828459045)) < 1e-15)
        let gates = circuit.operations.compactMap { op -> QuantumGate? in
            if case .gate(let g) = op { return g } else { return nil }
        }
        #expect(gates.map(\.kind) == [.h, .u, .x, .x, .x, .cx, .cp, .p, .cx])
        #expect(gates[1].parameters == [Double.pi / 2, 0, Double.pi])
        #expect(gates[2].qubits == [2] && gates[4].qubits == [4])
        #expect(gates[5].qubits == [0, 4])
        #expect(circuit.operations.contains(.barrier(qubits: [0, 1, 2, 3, 4])))
        #expect(circuit.operations.contains(.measure(qubit: 4, clbit: 3)))
        #expect(circuit.operations.contains(.measure(qubit: 0, clbit: 5)))
        #expect(circuit.operations.last == .reset(qubit: 0))
    }

    @Test func globalPhaseMultipliesTheState() throws {
        let source = "OPENQASM 3.0;\ninclude \"stdgates.inc\";\nqubit[1] q;\nh q[0];\ngphase(pi/3);\n"
        let state = try StateVectorSimulator().statevector(try QASMParser.parse(source))
        let r = 1 / 2.0.squareRoot()
        let expected = ComplexAmplitude.phase(Double.pi / 3)
        for amplitude in state {
            #expect(abs(amplitude.re - r * expected.re) < 1e-15 && abs(amplitude.im - r * expected.im) < 1e-15)
        }
        // Probabilities and stored JSON: the phase is kept, old JSON without it still decodes.
        let circuit = try QASMParser.parse(source)
        let decoded = try JSONDecoder().decode(QuantumCircuit.self, from: try JSONEncoder().encode(circuit))
        #expect(decoded == circuit)
        var plain = circuit
        plain.globalPhase = 0
        let text = String(decoding: try JSONEncoder().encode(plain), as: UTF8.self)
        #expect(!text.contains("globalPhase"))
    }

    @Test func executorRunsOpenQASM3Jobs() async throws {
        let source = "OPENQASM 3.0;\ninclude \"stdgates.inc\";\nqubit[2] q;\nbit[2] c;\nry(pi/3) q[0];\ncx q[0], q[1];\nc = measure q;\n"
        let job = QuantumJob(circuit: source, shots: 0, observables: ["ZZ", "IZ"], device: "ideal-sim")
        let result = try await QPUExecutor.run(job, on: QPUDeviceProfile(name: "ideal-sim", qubits: 4), threads: 1,
                                               latencyScale: 0)
        #expect(abs(result.expectations[0].value - 1) < 1e-12)
        #expect(abs(result.expectations[1].value - cos(Double.pi / 3)) < 1e-12)
    }

    /// Forty nested definitions that each call the previous one twice: 2^40 expansions, refused
    /// quickly instead of running for hours (OpenQASM 2 and 3 alike).
    @Test func exponentialGateExpansionIsBounded() {
        for (header, include) in [("OPENQASM 3.0;", "include \"stdgates.inc\";\nqubit[1] q;"),
                                  ("OPENQASM 2.0;", "include \"qelib1.inc\";\nqreg q[1];")] {
            var source = header + "\n" + include + "\ngate g0 a { }\n"
            for k in 1...40 { source += "gate g\(k) a { g\(k - 1) a; g\(k - 1) a; }\n" }
            source += "g40 q[0];\n"
            do {
                _ = try QASMParser.parse(source, fileName: "bomb.qasm")
                Issue.record("\(header) expansion bomb was accepted")
            } catch {
                #expect(error.code == .simulatorLimit)
                #expect(error.message.contains("gate applications"))
            }
        }
    }

    @Test func versionHeaderPicksTheDialect() {
        #expect(QASMParser.majorVersion(of: "// c\n/* b */ OPENQASM 3.0;") == 3)
        #expect(QASMParser.majorVersion(of: "OPENQASM 2.0;") == 2)
        #expect(QASMParser.majorVersion(of: "qreg q[1];") == nil)
    }

    struct Malformed: Sendable, CustomTestStringConvertible {
        var file: String
        var source: String
        var line: Int
        var column: Int
        var message: String
        var testDescription: String { file }
    }

    /// Fixtures/qasm3_malformed/*.qasm; the first line of each says `// expect: LINE:COLUMN: message`.
    static let malformed: [Malformed] = {
        guard let directory = FixtureLoader.url("qasm3_malformed"),
              let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return [] }
        return names.sorted().compactMap { name -> Malformed? in
            guard let source = try? String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8),
                  let first = source.split(separator: "\n").first, first.hasPrefix("// expect: ") else { return nil }
            let parts = first.dropFirst("// expect: ".count).split(separator: ":", maxSplits: 2)
            guard parts.count == 3, let line = Int(parts[0]), let column = Int(parts[1]) else { return nil }
            return Malformed(file: name, source: source, line: line, column: column,
                             message: String(parts[2].dropFirst()))
        }
    }()

    @Test func malformedFixturesArePresent() {
        #expect(Self.malformed.count >= 30)
    }

    @Test(arguments: malformed)
    func malformedProgramGivesLocatedError(_ case_: Malformed) {
        do {
            _ = try QASMParser.parse(case_.source, fileName: case_.file)
            Issue.record("expected an error: \(case_.message)")
        } catch {
            #expect(error.file == case_.file)
            #expect(error.line == case_.line, "\(error)")
            #expect(error.column == case_.column, "\(error)")
            #expect(error.message.contains(case_.message), "\(error)")
            #expect(error.description.hasPrefix("\(case_.file):\(case_.line):\(case_.column): "))
        }
    }
}
