import PilotCore
import PilotProtocol
import PilotQuantum

extension APIServer {
    /// Reads every PUB-job payload of a submission on the work pool (circuits can be megabytes of
    /// OpenQASM), so a malformed circuit, binding or observable is a 400 naming the task, the PUB,
    /// and the line and column, instead of a task that fails later on an agent. Single-circuit
    /// payloads keep their old path: they are checked where they run.
    func checkQuantumPayloads(_ sub: SubmitRequest) async throws {
        var payloads: [(field: String, text: String)] = []
        for (i, t) in (sub.tasks ?? []).enumerated() where t.kind == .quantum {
            if let p = t.payload, QuantumPayload.isPUBJob(p) { payloads.append(("tasks[\(i)].payload", p)) }
        }
        if let a = sub.array, a.template.kind == .quantum, let p = a.template.payload, QuantumPayload.isPUBJob(p) {
            payloads.append(("tasks[0].payload", p))
        }
        guard !payloads.isEmpty else { return }
        let found = payloads
        try await shell.blocking {
            for (field, text) in found {
                do {
                    _ = try PUBJob.parse(text)
                } catch let error as QuantumError {
                    throw ManagerError(.badRequest, error.description, field: error.field.map { "\(field).\($0)" } ?? field)
                }
            }
        }
    }
}
