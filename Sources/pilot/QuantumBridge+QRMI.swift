import Foundation
import PilotAgent
import PilotCore
import PilotLaunch
import PilotProtocol
import PilotQuantum

extension QuantumBridge {
    /// Runs a PUB job leased on a QPU Slurm granted through QRMI with QRMI's task runner, as a
    /// process of this agent's (its own session, killed with the task), in the task's environment.
    static func runQRMI(_ a: TaskAssignment, on qpu: QRMIResource, environment: [String: String], runner: ProcessRunner,
                        workDirectory: String, killGrace: Double, started: Double) async -> TaskOutcome {
        func ended(_ code: Int32?, signal: Int32? = nil, timedOut: Bool = false, reason: String? = nil,
                   result: String? = nil) -> TaskOutcome {
            TaskOutcome(key: a.key, kind: .exited, exitCode: code, signal: signal, timedOut: timedOut, startedAt: started,
                        endedAt: Date().timeIntervalSince1970, reason: reason, result: result)
        }
        guard let payload = a.spec.payload, QuantumPayload.isPUBJob(payload) else {
            return ended(1, reason: "QPU \(qpu.name) is given through QRMI, which runs Qiskit primitives: the payload must be a PUB job (sampler or estimator, with pubs)")
        }
        let workingDirectory = a.spec.workingDirectory
        let executor = QRMIExecutor(resource: qpu.name, environment: environment, workDirectory: workDirectory) {
            (run: QRMIExecutor.Invocation) async throws(QuantumError) -> QRMIExecutor.Exit in
            let spec = SpawnSpec(executable: run.executable, arguments: run.arguments, environment: run.environment,
                                 workingDirectory: workingDirectory, stdoutPath: run.stdoutPath, stderrPath: run.stderrPath,
                                 newSession: true, parentDeathSignal: SIGKILL,
                                 timeLimit: run.timeLimit.map { .milliseconds(Int64($0 * 1000)) },
                                 killGrace: .milliseconds(Int64(killGrace * 1000)))
            do {
                let exit = try await runner.run(spec)
                return QRMIExecutor.Exit(exitCode: exit.exitCode, signal: exit.signal, timedOut: exit.timedOut)
            } catch {
                throw QuantumError(.runnerFailed, "cannot start QRMI's task runner \(run.executable)", cause: error)
            }
        }
        do {
            switch try await executor.run(pubJob: payload, timeLimit: a.spec.timeLimit) {
            case .completed(let result):
                let data = try result.jsonData()
                guard data.count <= maxPUBResultBytes else {
                    return ended(1, reason: "the PUB job's result is \(data.count) bytes, over the limit of \(maxPUBResultBytes): use fewer shots, bindings or registers per task")
                }
                return ended(0, result: String(decoding: data, as: UTF8.self))
            case .failed(let reason, let exit):
                // Exit 0 without a result is still a failed task.
                let code = exit.exitCode.map { $0 == 0 ? 1 : $0 }
                return ended(code, signal: exit.signal, timedOut: exit.timedOut, reason: reason)
            }
        } catch {
            return ended(1, reason: "\(error)")
        }
    }
}
