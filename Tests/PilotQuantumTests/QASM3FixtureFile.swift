import Foundation
import Testing
@testable import PilotQuantum

/// Layout of Fixtures/qasm3_fixtures.json and Fixtures/qelib1_extras.json, written by gen_qasm3.py.
struct QASM3FixtureFile: Decodable {
    struct Circuit: Decodable, Sendable, CustomTestStringConvertible {
        var name: String
        var qubits: Int
        var qasm: String
        /// "exact", or "global" when Qiskit's exporter dropped a global phase from the text.
        var phase: String
        var statevector: [[Double]]
        var bindings: [String: Double]?

        var testDescription: String { name }
    }

    var qiskit: String
    var circuits: [Circuit]

    static func load(_ name: String) -> [Circuit] {
        guard let data = try? FixtureLoader.data(name),
              let file = try? JSONDecoder().decode(QASM3FixtureFile.self, from: data) else { return [] }
        return file.circuits
    }
}

/// Largest amplitude difference between `actual` and `expected`, optionally after removing the
/// global phase that best aligns them (⟨expected|actual⟩ / |⟨expected|actual⟩|).
func statevectorDistance(_ actual: [ComplexAmplitude], _ expected: [[Double]], upToGlobalPhase: Bool) -> Double {
    guard actual.count == expected.count else { return .infinity }
    var phase = ComplexAmplitude.one
    if upToGlobalPhase {
        var overlap = ComplexAmplitude.zero
        for (a, e) in zip(actual, expected) { overlap += ComplexAmplitude(e[0], -e[1]) * a }
        guard overlap.magnitude > 1e-12 else { return .infinity }
        phase = ComplexAmplitude(overlap.re / overlap.magnitude, -overlap.im / overlap.magnitude)
    }
    var worst = 0.0
    for (a, e) in zip(actual, expected) {
        let aligned = phase * a
        worst = max(worst, abs(aligned.re - e[0]), abs(aligned.im - e[1]))
    }
    return worst
}
