import Foundation
import Testing
@testable import PilotQuantum

/// Compares the reader and simulator with Qiskit's own results (see Fixtures/make_fixtures.py).
@Suite struct QiskitFixtureTests {
    static let fixtures: [QiskitFixtureFile.Circuit] = (try? QiskitFixtureFile.load().circuits) ?? []

    @Test func fixturesArePresent() {
        #expect(Self.fixtures.count >= 50)
        #expect(Set(Self.fixtures.map(\.qubits)).isSuperset(of: Set(2...12)))
    }

    @Test(arguments: fixtures)
    func statevectorMatchesQiskit(_ fixture: QiskitFixtureFile.Circuit) throws {
        let circuit = try QASMParser.parse(fixture.qasm, fileName: fixture.name)
        #expect(circuit.qubitCount == fixture.qubits)
        for threads in [1, 2] {
            let state = try StateVectorSimulator(threads: threads).statevector(circuit)
            #expect(state.count == fixture.statevector.count)
            let worst = zip(state, fixture.statevector).map { a, e in
                max(abs(a.re - e[0]), abs(a.im - e[1]))
            }.max() ?? .infinity
            #expect(worst < 1e-9, "\(fixture.name): largest amplitude difference \(worst)")
        }
    }

    @Test(arguments: fixtures)
    func expectationValuesMatchQiskit(_ fixture: QiskitFixtureFile.Circuit) throws {
        let circuit = try QASMParser.parse(fixture.qasm, fileName: fixture.name)
        let simulator = StateVectorSimulator(threads: 1)
        let state = try simulator.statevector(circuit)
        for observable in fixture.observables {
            let value = simulator.expectation(try PauliString(observable.pauli), state: state)
            #expect(abs(value - observable.value) < 1e-9, "\(fixture.name) ⟨\(observable.pauli)⟩ = \(value), Qiskit \(observable.value)")
        }
    }

    @Test(arguments: fixtures.prefix(20))
    func writtenQASMRoundTrips(_ fixture: QiskitFixtureFile.Circuit) throws {
        let circuit = try QASMParser.parse(fixture.qasm, fileName: fixture.name)
        let reparsed = try QASMParser.parse(circuit.qasm(), fileName: "roundtrip")
        #expect(reparsed == circuit)
    }
}

extension QiskitFixtureFile.Circuit: CustomTestStringConvertible {
    var testDescription: String { name }
}
