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
    static func kernel(log: Logger, directory: String? = nil, latencyScale: Double = 1) -> KernelRunner {
        let dir = directory ?? ProjectFiles.find("Profiles").map { $0 + "/qpu" }
        let profiles = (try? dir.map { try QPUDeviceProfile.loadAll(directory: $0) }) ?? []
        let byName = Dictionary(profiles.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        return { a, threads in
            let started = Date().timeIntervalSince1970
            func fail(_ why: String) -> TaskOutcome {
                TaskOutcome(key: a.key, kind: .exited, exitCode: 1, startedAt: started, endedAt: Date().timeIntervalSince1970, reason: why)
            }
            guard let payload = a.spec.payload, let job = try? JSONDecoder().decode(QuantumJob.self, from: Data(payload.utf8)) else {
                return fail("the task payload is not a quantum job")
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
}
