import Foundation
import PilotCore
import PilotMiniApps
import PilotQuantum
import PilotWorkflow
import Testing

/// Plays the agent for driver tests: runs `.quantum` tasks' payloads on the embedded simulator
/// and returns the outcomes in a shuffled order, as a real manager would deliver them.
enum FakeAgent {
    static let runner = LocalQuantumRunner(device: QPUDeviceProfile(name: "ideal-sim", qubits: 30), concurrency: 2)

    static func job(of task: TaskSpec) throws -> QuantumJob {
        try JSONDecoder().decode(QuantumJob.self, from: Data((task.payload ?? "").utf8))
    }

    static let device = QPUDeviceProfile(name: "ideal-sim", qubits: 30)

    /// Runs each task as an agent's quantum kernel would: single-circuit jobs and PUB jobs alike.
    static func execute(_ tasks: [TaskSpec], firstIndex: Int, seed: UInt64 = 3) async throws -> [TaskOutcomeSummary] {
        var outcomes: [TaskOutcomeSummary] = []
        for (k, task) in tasks.enumerated() {
            let payload = task.payload ?? ""
            let json: Data
            if QuantumPayload.isPUBJob(payload) {
                json = try await PUBExecutor.run(try PUBJob.parse(payload), on: device, threads: 1, latencyScale: 0).jsonData()
            } else {
                json = try await QPUExecutor.run(try job(of: task), on: device, threads: 1, latencyScale: 0).jsonData()
            }
            outcomes.append(TaskOutcomeSummary(localIndex: firstIndex + k, name: task.name, round: 0, succeeded: true,
                                               resultJSON: String(decoding: json, as: UTF8.self)))
        }
        var rng = SeededGenerator(seed: seed)
        outcomes.shuffle(using: &rng)
        return outcomes
    }

    /// The in-process VQE loop the drivers are compared with.
    static func referenceVQE(qubits: Int, layers: Int, seed: UInt64, rounds: Int) async throws -> VQEReport {
        var c = VQEConfiguration()
        c.qubits = qubits
        c.layers = layers
        c.seed = seed
        c.optimizer.seed = seed
        c.maxRounds = rounds
        return try await VQEMiniApp.run(c, runner: .cpu(name: "ideal-sim"))
    }

    /// Runs `rounds` rounds of a driver on the simulator, results shuffled, and hands it the last.
    static func drive(_ driver: inout VQEDriver, rounds: Int, expectTasks: Int? = nil) async throws {
        var outcomes: [TaskOutcomeSummary] = []
        var index = 0
        for _ in 0..<rounds {
            let round = driver.nextRound(previousResults: outcomes)
            let tasks = try #require(round)
            if let expectTasks { #expect(tasks.count == expectTasks) }
            outcomes = try await execute(tasks, firstIndex: index)
            index += tasks.count
        }
        _ = driver.nextRound(previousResults: outcomes)
    }

    static func plan(_ driver: String, params: [(String, ParamValue)], maxRounds: Int = 100) -> IterativeStagePlan {
        IterativeStagePlan(stage: driver, driver: .builtin(driver),
                           params: .map(params.map { ParamValue.Entry(key: $0.0, value: $0.1) }),
                           maxRounds: maxRounds, taskTemplate: TaskSpec())
    }

    static let context = WorkflowContext(id: "t", dir: "/tmp/t", seed: 42)
}
