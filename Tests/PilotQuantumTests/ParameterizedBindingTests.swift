import Foundation
@testable import PilotQuantum
import Testing

/// Binding a parameterized OpenQASM 3 program patches the template read once; these check it gives
/// exactly what reading the program again with the values gives (operations, angles bit for bit,
/// global phase, and the same first error).
@Suite struct ParameterizedBindingTests {
    static let fixtures = QASM3FixtureFile.load("qasm3_fixtures.json").filter { $0.bindings != nil }

    @Test func fixturesWithParametersArePresent() {
        #expect(!Self.fixtures.isEmpty)
    }

    @Test(arguments: fixtures)
    func patchedBindingEqualsRereading(_ fixture: QASM3FixtureFile.Circuit) throws {
        let program = try QASMParser.parseParameterized(fixture.qasm, fileName: fixture.name)
        var rng = SeededGenerator(seed: 5)
        for round in 0..<5 {
            var values = fixture.bindings!
            if round > 0 { for k in values.keys { values[k] = (rng.nextDouble() - 0.5) * 8 } }
            let patched = try program.bind(values)
            let reread = try program.reread(values)
            #expect(patched == reread, "\(fixture.name) round \(round)")
        }
    }

    static let nested = """
        OPENQASM 3.0;
        include "stdgates.inc";
        input float[64] a;
        input float[64] b;
        gate inner(x, y) q { rz(x * y) q; gphase(x / 2); }
        gate outer(x) p, q { inner(x + 1, 2 * x) p; rx(-x) q; cx p, q; inner(0.5, x) q; }
        qubit[3] r;
        outer(a - b) r[0], r[1];
        outer(0.25) r[1], r[2];
        inner(1 / b, a) r[2];
        rx(a) r;
        gphase(a * b);
        h r[0];
        """

    @Test func nestedDefinitionsBroadcastAndPhasesBindAlike() throws {
        let program = try QASMParser.parseParameterized(Self.nested, fileName: "nested.qasm")
        #expect(program.parameters == ["a", "b"])
        for (a, b) in [(0.3, -1.2), (2.0, 0.5), (-0.7, 3.1)] {
            let patched = try program.bind(["a": a, "b": b])
            let reread = try program.reread(["a": a, "b": b])
            #expect(patched == reread)
            #expect(patched.globalPhase == reread.globalPhase)
            let state = try StateVectorSimulator().statevector(patched)
            #expect(statevectorDistance(state, try StateVectorSimulator().statevector(reread).map { [$0.re, $0.im] },
                                        upToGlobalPhase: false) == 0)
        }
    }

    @Test func errorsAtSomeValuesMatchRereading() throws {
        let program = try QASMParser.parseParameterized(Self.nested, fileName: "nested.qasm")
        var patchedError: QuantumError?
        var rereadError: QuantumError?
        do { _ = try program.bind(["a": 1, "b": 0]) } catch { patchedError = error }
        do { _ = try program.reread(["a": 1, "b": 0]) } catch { rereadError = error }
        #expect(patchedError?.description == "nested.qasm:10:9: division by zero")
        #expect(patchedError?.description == rereadError?.description)
    }
}
