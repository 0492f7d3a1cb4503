import Foundation

/// Reads files shipped in the test bundle's Fixtures folder.
enum FixtureLoader {
    static func url(_ name: String) -> URL? {
        Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures")
    }

    static func data(_ name: String) throws -> Data {
        guard let url = url(name) else { throw CocoaError(.fileNoSuchFile) }
        return try Data(contentsOf: url)
    }
}

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
