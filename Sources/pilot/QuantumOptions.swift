import ArgumentParser
import Foundation
import PilotCore
import PilotQuantum

/// `pilot submit --circuit FILE.qasm --shots 4000 --observable ZZII --qpu DEVICE:1`: a quantum task.
struct QuantumOptions: ParsableArguments {
    @Option(help: "An OpenQASM 2.0 circuit: submit a quantum task instead of a command.") var circuit: String?
    @Option(help: "Shots (0: exact expectation values).") var shots = 1024
    @Option(help: "Pauli observable, rightmost character = qubit 0 (repeatable).") var observable: [String] = []
    @Option(help: "Seed for shot sampling.") var seed: UInt64?

    func spec(circuit path: String, request: RequestOptions) throws -> TaskSpec {
        let text: String
        do { text = try CircuitFile.read(path) } catch { throw ValidationError("\(error)") }
        // Parse here so a bad circuit is refused with its line and column before it reaches the queue.
        do { _ = try QASMParser.parse(text, fileName: path) } catch { throw ValidationError("\(error)") }
        guard let qpu = request.qpu else { throw ValidationError("a quantum task needs --qpu DEVICE:N, any:qubits>=Q:N or auto[:POLICY]") }
        let selector: QPUSelector
        do { selector = try QPUSelector(parsing: qpu) } catch { throw ValidationError(error.description) }
        let job = QuantumJob(circuit: text, shots: shots, seed: seed, observables: observable, device: selector.device ?? "any")
        var s = try request.spec(command: ["quantum"])
        s.kind = .quantum
        s.command = []
        s.name = request.name ?? URL(fileURLWithPath: path).lastPathComponent
        s.payload = String(decoding: try JSONEncoder().encode(job), as: UTF8.self)
        try s.validate()
        return s
    }
}
