import Foundation
import PilotCore
import PilotMiniApps
import PilotQuantum
import Testing

@Suite struct CircuitExecutionTests {
    static func configuration() -> CircuitExecutionConfiguration {
        var c = CircuitExecutionConfiguration()
        c.qubits = 6
        c.depth = 4
        c.circuits = 6
        c.observables = 2
        c.observableWeight = 2
        c.shots = 2000
        return c
    }

    @Test func tasksCarryTheEnsemble() throws {
        let c = Self.configuration()
        let tasks = try CircuitExecutionWorkload.tasks(c)
        #expect(tasks.count == c.circuits)
        for (i, t) in tasks.enumerated() {
            try t.validate()
            #expect(t.kind == .quantum && t.request.qpu == QPUSelector(device: "ideal-sim"))
            let job = try JSONDecoder().decode(QuantumJob.self, from: Data(try #require(t.payload).utf8))
            #expect(job.shots == 2000 && job.observables.count == 2)
            #expect(job.observables.allSatisfy { try! PauliString($0).weight == 2 })
            #expect(try QASMParser.parse(job.circuit).qubitCount == 6)
            #expect(job.circuit == CircuitExecutionWorkload.circuit(c, index: i).qasm())
        }
        var cpu = c
        cpu.device = "cpu"
        let commands = try CircuitExecutionWorkload.tasks(cpu, pilotExecutable: "/opt/pilot")
        #expect(commands.allSatisfy { $0.kind == .command && $0.command.prefix(3) == ["/opt/pilot", "kernel", "quantum"] })
    }

    /// Every sampled estimate lies within 5 standard errors of the exact value (a looser bound
    /// than 3σ because 12 estimates are checked at once).
    @Test func estimatesAgreeWithExactValues() async throws {
        let report = try await CircuitExecutionMiniApp.run(Self.configuration(), runner: .cpu(name: "ideal-sim", concurrency: 2))
        #expect(report.circuits.count == 6)
        for c in report.circuits {
            #expect(c.distinctOutcomes > 1)
            let exact = try #require(c.exact)
            for (e, x) in zip(c.expectations, exact) {
                #expect(abs(e.value - x) <= 5 * max(e.standardError, 1e-3), "\(e.observable): \(e.value) vs \(x)")
            }
        }
    }

    @Test func exactShotsMatchExactly() async throws {
        var c = Self.configuration()
        c.shots = 0
        let report = try await CircuitExecutionMiniApp.run(c, runner: .cpu())
        #expect(try #require(report.maxAbsError) < 1e-12)
    }
}
