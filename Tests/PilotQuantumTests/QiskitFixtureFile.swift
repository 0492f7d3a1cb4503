import Foundation

/// Layout of Fixtures/qiskit_fixtures.json written by make_fixtures.py.
struct QiskitFixtureFile: Decodable {
    struct Observable: Decodable, Sendable {
        var pauli: String
        var value: Double
    }

    struct Circuit: Decodable, Sendable {
        var name: String
        var qubits: Int
        var qasm: String
        var statevector: [[Double]]
        var observables: [Observable]
    }

    var qiskit: String
    var circuits: [Circuit]

    static func load() throws -> QiskitFixtureFile {
        try JSONDecoder().decode(QiskitFixtureFile.self, from: FixtureLoader.data("qiskit_fixtures.json"))
    }
}
