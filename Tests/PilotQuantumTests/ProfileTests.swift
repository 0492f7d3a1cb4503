import Foundation
import Testing
@testable import PilotQuantum

@Suite struct ProfileTests {
    /// Profiles/qpu of this package, found from this source file's location.
    static let profileDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Profiles/qpu").path

    @Test func shippedProfilesLoad() throws {
        let profiles = try QPUDeviceProfile.loadAll(directory: Self.profileDirectory)
        let byName = Dictionary(uniqueKeysWithValues: profiles.map { ($0.name, $0) })
        #expect(Set(byName.keys).isSuperset(of: ["ideal-sim", "superconducting-27", "trapped-ion-11"]))

        let ideal = try #require(byName["ideal-sim"])
        #expect(ideal.qubits == 32)
        #expect(ideal.noise.isIdeal)
        #expect(ideal.maxConcurrentJobs == 4)
        #expect(ideal.executor == .embedded)

        let sc = try #require(byName["superconducting-27"])
        #expect(sc.qubits == 27)
        #expect(sc.maxConcurrentJobs == 2)
        #expect(sc.noise.depolarizing1q == 0.001 && sc.noise.depolarizing2q == 0.01 && sc.noise.readout == 0.02)
        let coupling = try #require(sc.couplingMap)
        #expect(Set(coupling.flatMap { $0 }) == Set(0..<27))
        // Heavy-hex: no qubit has more than three neighbours.
        let degrees = coupling.flatMap { $0 }.reduce(into: [Int: Int]()) { $0[$1, default: 0] += 1 }
        #expect(degrees.values.max() == 3)

        let ion = try #require(byName["trapped-ion-11"])
        #expect(ion.maxConcurrentJobs == 1)
        #expect(ion.couplingMap == nil)
        #expect(ion.latency.perShot > sc.latency.perShot)
    }

    @Test func commandExecutorProfileParses() throws {
        let yaml = """
        version: 1
        name: external
        qubits: 5
        executor:
          type: command
          argv: [python3, run.py, "{circuit}", "{shots}", "{seed}"]
          timeout: 30
        """
        let profile = try QPUDeviceProfile.parse(yaml: yaml, fileName: "external.yaml")
        #expect(profile.executor == .command(argv: ["python3", "run.py", "{circuit}", "{shots}", "{seed}"], timeoutSeconds: 30))
        #expect(profile.latency == .init())
    }

    struct Malformed: Sendable, CustomTestStringConvertible {
        var yaml: String
        var field: String
        var reason: String
        var testDescription: String { "\(field): \(reason)" }
    }

    static let base = "version: 1\nname: dev\nqubits: 5\n"

    static let malformed: [Malformed] = [
        .init(yaml: base + "colour: blue\n", field: "colour", reason: "unknown key"),
        .init(yaml: base + "noise:\n  readout: 1.5\n", field: "noise.readout", reason: "must be a probability in [0, 1], got 1.5"),
        .init(yaml: base + "noise:\n  depolarizing_1q: -0.1\n", field: "noise.depolarizing_1q", reason: "must be a probability in [0, 1]"),
        .init(yaml: base + "noise:\n  readout: high\n", field: "noise.readout", reason: "must be a number, got 'high'"),
        .init(yaml: base + "noise:\n  depolarising_2q: 0.1\n", field: "noise.depolarising_2q", reason: "unknown key"),
        .init(yaml: "version: 1\nname: dev\nqubits: 0\n", field: "qubits", reason: "must be at least 1, got 0"),
        .init(yaml: "version: 1\nname: dev\nqubits: five\n", field: "qubits", reason: "must be an integer, got 'five'"),
        .init(yaml: "version: 1\nname: dev\n", field: "qubits", reason: "is required"),
        .init(yaml: "version: 2\nname: dev\nqubits: 5\n", field: "version", reason: "unsupported version 2"),
        .init(yaml: base + "latency:\n  per_shot: -1\n", field: "latency.per_shot", reason: "must be a non-negative number of seconds"),
        .init(yaml: base + "latency: 3\n", field: "latency", reason: "must be a mapping, got 3"),
        .init(yaml: base + "coupling_map: [[0, 1], [1, 7]]\n", field: "coupling_map[1]", reason: "must name two different qubits"),
        .init(yaml: base + "coupling_map: [[0, 1, 2]]\n", field: "coupling_map[0]", reason: "must be a pair"),
        .init(yaml: base + "basis_gates: [cx, frobnicate]\n", field: "basis_gates[1]", reason: "unknown gate 'frobnicate'"),
        .init(yaml: base + "max_concurrent_jobs: 0\n", field: "max_concurrent_jobs", reason: "must be at least 1"),
        .init(yaml: base + "executor:\n  type: quantum-cloud\n", field: "executor.type", reason: "must be 'embedded' or 'command'"),
        .init(yaml: base + "executor:\n  type: command\n", field: "executor.argv", reason: "is required for type: command"),
        .init(yaml: base + "enforce_basis_gates: yes please\n", field: "enforce_basis_gates", reason: "must be true or false"),
    ]

    @Test(arguments: malformed)
    func malformedProfileNamesFileFieldAndReason(_ case_: Malformed) {
        do {
            _ = try QPUDeviceProfile.parse(yaml: case_.yaml, fileName: "broken.yaml")
            Issue.record("expected an error for \(case_.field)")
        } catch {
            #expect(error.code == .profileInvalid)
            #expect(error.file == "broken.yaml")
            #expect(error.field == case_.field, "\(error)")
            #expect(error.message.contains(case_.reason), "\(error)")
            #expect(error.description.hasPrefix("broken.yaml"))
            #expect(error.description.contains("field '\(case_.field)'"))
        }
    }

    @Test func invalidYAMLAndMissingFileAreReported() {
        #expect(throws: QuantumError.self) { try QPUDeviceProfile.parse(yaml: "name: [unclosed", fileName: "x.yaml") }
        do {
            _ = try QPUDeviceProfile.load(path: "/nonexistent/dev.yaml")
            Issue.record("missing file must fail")
        } catch {
            #expect(error.code == .profileIO)
            #expect(error.file == "/nonexistent/dev.yaml")
        }
    }
}
