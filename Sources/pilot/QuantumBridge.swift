import Foundation
import Logging
import PilotAgent
import PilotCore
import PilotProtocol
import PilotQuantum

/// Connects the quantum module to the scheduler (device slots) and to agents (the kernel that runs jobs).
enum QuantumBridge {
    static func deviceInfos(directory: String) throws -> [QPUDeviceInfo] {
        do {
            return try QPUDeviceProfile.loadAll(directory: directory).map {
                QPUDeviceInfo(name: $0.name, qubits: $0.qubits, slots: $0.maxConcurrentJobs)
            }
        } catch { throw CLIError("\(error)") }
    }

    /// Runs a quantum task on the device its lease names, with as many simulator threads as bound cores.
    /// A task leased on one of `qrmi` (QPUs Slurm granted this job) runs through QRMI's task
    /// runner instead, writing its files under `workDirectory`.
    static func kernel(log: Logger, directory: String? = nil, latencyScale: Double = 1, qrmi: [QRMIResource] = [],
                       workDirectory: String = NSTemporaryDirectory(), killGrace: Double = 5) -> KernelRunner {
        let dir = directory ?? ProjectFiles.find("Profiles").map { $0 + "/qpu" }
        let profiles = (try? dir.map { try QPUDeviceProfile.loadAll(directory: $0) }) ?? []
        let byName = Dictionary(profiles.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let runner = qrmi.isEmpty ? nil : ProcessRunner()
        return { a, threads, environment in
            let started = Date().timeIntervalSince1970
            if let runner, let device = a.qpu?.device, let qpu = qrmi.first(where: { $0.name == device }) {
                return await runQRMI(a, on: qpu, environment: environment, runner: runner, workDirectory: workDirectory,
                                     killGrace: killGrace, started: started)
            }
            func fail(_ why: String) -> TaskOutcome {
                TaskOutcome(key: a.key, kind: .exited, exitCode: 1, startedAt: started, endedAt: Date().timeIntervalSince1970, reason: why)
            }
            guard let payload = a.spec.payload else { return fail("the task payload is not a quantum job") }
            let job: QuantumJob
            switch QuantumPayload.read(payload) {
            case .pubJob:
                return await runPUBs(payload, assignment: a, devices: byName, threads: threads, latencyScale: latencyScale,
                                     started: started)
            case .job(let j): job = j
            case .invalid: return fail("the task payload is not a quantum job")
            }
            let deviceName = a.qpu?.device ?? job.device
            guard let device = byName[deviceName] else { return fail("unknown QPU device '\(deviceName)'") }
            do {
                let result = try await QPUExecutor.run(job, on: device, threads: threads, latencyScale: latencyScale)
                let json = String(decoding: try result.jsonData(), as: UTF8.self)
                return TaskOutcome(key: a.key, kind: .exited, exitCode: 0, startedAt: started,
                                   endedAt: Date().timeIntervalSince1970, result: json)
            } catch {
                return fail("\(error)")
            }
        }
    }

    /// A result larger than this fails the task instead of straining the agent channel and store.
    static let maxPUBResultBytes = 32 << 20

    /// A PUB job: read on a simulation thread (circuits can be large), run, result stored as JSON.
    static func runPUBs(_ payload: String, assignment a: TaskAssignment, devices: [String: QPUDeviceProfile], threads: Int,
                        latencyScale: Double, started: Double) async -> TaskOutcome {
        func fail(_ why: String) -> TaskOutcome {
            TaskOutcome(key: a.key, kind: .exited, exitCode: 1, startedAt: started, endedAt: Date().timeIntervalSince1970, reason: why)
        }
        do {
            let job = try await PUBExecutor.offload { () throws(QuantumError) in try PUBJob.parse(payload) }
            let deviceName = a.qpu?.device ?? job.device ?? ""
            guard let device = devices[deviceName] else { return fail("unknown QPU device '\(deviceName)'") }
            let result = try await PUBExecutor.run(job, on: device, threads: threads, latencyScale: latencyScale)
            let data = try result.jsonData()
            guard data.count <= maxPUBResultBytes else {
                return fail("the PUB job's result is \(data.count) bytes, over the limit of \(maxPUBResultBytes): use fewer shots, bindings or registers per task")
            }
            return TaskOutcome(key: a.key, kind: .exited, exitCode: 0, startedAt: started,
                               endedAt: Date().timeIntervalSince1970, result: String(decoding: data, as: UTF8.self))
        } catch {
            return fail("\(error)")
        }
    }
}
