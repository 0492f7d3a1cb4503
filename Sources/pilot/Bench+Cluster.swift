import Foundation
import Logging
import PilotAgent
import PilotCore
import PilotProtocol
import PilotTopology

import Synchronization

private let logReady = Atomic<Bool>(false)

/// An embedded cluster kept alive across repetitions, as the peer harness keeps one per system.
struct BenchCluster: Sendable {
    let cluster: EmbeddedCluster

    static func start(topology: NodeTopology, null: Bool, prefetch: Int, serverDir: String? = nil,
                      metrics: Bool = true) async throws -> BenchCluster {
        let log = logger()
        let c = try await EmbeddedCluster.start(serverDir: serverDir, topology: topology, launcher: null ? .null : .process,
                                                prefetch: prefetch, metrics: metrics, log: log)
        let b = BenchCluster(cluster: c)
        // Warm-up: first-use costs (SQLite pages, JIT-less but lazy Swift metadata, page faults) stay out of the figures.
        _ = try await b.runArray(spec(null: null, command: ["/bin/true"]), n: 20)
        return b
    }

    /// The benches' logger, warnings only.
    static func logger() -> Logger {
        // Once per process (swift-log refuses a second bootstrap): the ext driver may start clusters again.
        if !logReady.exchange(true, ordering: .relaxed) { LogSetup.bootstrap(nil, default: .warning) }
        return Logger(label: "pilot.bench")
    }

    static func spec(null: Bool, command: [String]) -> TaskSpec {
        var s = TaskSpec(name: "bench", kind: null ? .null : .command, command: command)
        // Output capture would add two file creations per task; the peers are measured without it too.
        s.captureOutput = false
        return s
    }

    struct Result {
        var wall: Double; var first: Int64; var count: Int; var failed: Int; var submittedAt: Double
        /// CPU seconds of this process (manager + agent + launcher) and of the task processes during the run.
        var cpu: Double; var childCPU: Double
        /// Fields every workload line carries.
        var fields: [String: Any] {
            ["wall_s": wall, "tasks_per_s": Double(count) / wall, "failed": failed, "pilot_cpu_s": cpu,
             "pilot_cpu_us_per_task": cpu / Double(max(count, 1)) * 1e6, "task_cpu_s": childCPU]
        }
    }

    /// Submits one array and returns when the manager has stored every result. The wait is the
    /// manager's long poll, resolved on the tick that commits the last result (no polling interval).
    func runArray(_ spec: TaskSpec, n: Int) async throws -> Result {
        let at = Date().timeIntervalSince1970
        let (c0, k0) = (processCPUSeconds(), childrenCPUSeconds())
        let clock = ContinuousClock.now
        let r = try await cluster.client.submit(SubmitRequest(array: ArraySubmission(template: spec, range: "0-\(n - 1)")))
        let w = try await cluster.waitAll(progress: false)
        let d = ContinuousClock.now - clock
        let wall = Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
        return Result(wall: wall, first: r.first, count: r.count, failed: w.failed, submittedAt: at,
                      cpu: processCPUSeconds() - c0, childCPU: childrenCPUSeconds() - k0)
    }
}
