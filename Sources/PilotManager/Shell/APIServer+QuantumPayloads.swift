import PilotCore
import PilotProtocol
import PilotQuantum

extension APIServer {
    /// Reads the quantum payloads of a submission on the work pool (circuits can be megabytes of
    /// OpenQASM, and routing is CPU work):
    /// - a PUB job is read completely, so a malformed circuit, binding or observable is a 400 naming
    ///   the task, the PUB, and the line and column, instead of a task that fails later on an agent;
    /// - a task with `qpu: auto` gets its runtime and fidelity predicted on every device profile,
    ///   which the scheduler ranks at bind time (`qpu_estimates`; a client's own are kept).
    /// Single-circuit payloads of other tasks keep their old path: they are checked where they run.
    func prepareQuantumTasks(_ sub: SubmitRequest) async throws -> SubmitRequest {
        var work: [(field: String, index: Int?, spec: TaskSpec)] = []
        for (i, t) in (sub.tasks ?? []).enumerated() where Self.needsReading(t) { work.append(("tasks[\(i)]", i, t)) }
        if let a = sub.array, Self.needsReading(a.template) { work.append(("tasks[0]", nil, a.template)) }
        guard !work.isEmpty else { return sub }
        let found = work
        let profiles = shell.config.deviceProfiles
        let serverDir = shell.config.serverDir
        let prepared = try await shell.blocking { () throws -> [(Int?, TaskSpec)] in
            var estimator: DeviceEstimator?
            var out: [(Int?, TaskSpec)] = []
            for (field, index, spec) in found {
                var s = spec
                guard let payload = s.payload else { continue }
                do {
                    if QuantumPayload.isPUBJob(payload) { _ = try PUBJob.parse(payload) }
                    if s.request.qpu?.policy != nil, s.qpuEstimates == nil, !profiles.isEmpty {
                        if estimator == nil { estimator = DeviceEstimator(profiles: profiles, model: PerformanceModel.load(serverDir: serverDir).0) }
                        let list = try estimator!.estimates(payload: payload, threads: s.request.coresPerRank)
                        guard !list.isEmpty else {
                            let widest = profiles.map(\.qubits).max() ?? 0
                            throw ManagerError(.badRequest, "qpu: auto, but no device can hold this job's circuits (the widest device has \(widest) qubits)",
                                               field: "\(field).payload")
                        }
                        s.qpuEstimates = list
                        out.append((index, s))
                    }
                } catch let error as QuantumError {
                    throw ManagerError(.badRequest, error.description, field: error.field.map { "\(field).payload.\($0)" } ?? "\(field).payload")
                }
            }
            return out
        }
        var result = sub
        for (index, spec) in prepared {
            if let i = index { result.tasks![i] = spec } else { result.array!.template = spec }
        }
        return result
    }

    /// A PUB job to read, or an `auto` quantum task to predict.
    static func needsReading(_ t: TaskSpec) -> Bool {
        guard t.kind == .quantum, let p = t.payload else { return false }
        return t.request.qpu?.policy != nil || QuantumPayload.isPUBJob(p)
    }
}
