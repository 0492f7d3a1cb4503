import Foundation
import PilotMiniApps
import Testing

/// Runs the real `pilot-dsv` under `mpirun` (oversubscribed, so 4 ranks work on 2 cores) and
/// checks the distributed state against the single-process simulator, which rank 0 computes.
@Suite struct DistributedSVTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static var mpirunAvailable: Bool {
        (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":")
            .contains { FileManager.default.isExecutableFile(atPath: "\($0)/mpirun") }
    }

    static var binary: String? {
        [".build/debug", ".build/release", ".build/x86_64-unknown-linux-gnu/debug"]
            .map { root.appendingPathComponent($0).appendingPathComponent("pilot-dsv").path }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    @Test(.enabled(if: DistributedSVTests.mpirunAvailable, "mpirun is not installed"), arguments: [2, 4])
    func matchesSingleProcess(ranks: Int) throws {
        let exe = try #require(Self.binary, "pilot-dsv was not built (swift build --product pilot-dsv)")
        let launch = DistributedSVLauncher(binary: exe, ranks: ranks, launcher: .mpirun,
                                           arguments: ["--qubits", "10", "--depth", "8", "--seed", "5"])
        let outcome = try launch.run()
        #expect(outcome.status == 0, "\(outcome.argv) failed: \(outcome.stderr)")
        let report = try DistributedSVLauncher.report(from: outcome.stdout)
        #expect(report["ranks"] as? Int == ranks)
        #expect((report["exchanges"] as? Int ?? 0) > 0, "no gate needed communication; the test would prove nothing")
        let error = try #require(report["max_error"] as? Double)
        #expect(error <= 1e-9)
        #expect(abs((report["norm"] as? Double ?? 0) - 1) < 1e-9)
        print("pilot-dsv \(ranks) ranks: max error \(error), \(report["exchanges"] ?? 0) exchanges, simulation \(report["simulation_seconds"] ?? 0) s, launch \(outcome.seconds) s")
    }

    @Test func mpirunCommandShape() {
        let l = DistributedSVLauncher(binary: "/x/pilot-dsv", ranks: 4, launcher: .auto, arguments: ["--qubits", "12"])
        let (argv, env) = l.command(environment: [:])
        #expect(argv == ["mpirun", "-np", "4", "--oversubscribe", "/x/pilot-dsv", "--qubits", "12", "--expect-ranks", "4"])
        #expect(env["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] == "1")
        let inSlurm = DistributedSVLauncher(binary: "/x/pilot-dsv", ranks: 4, nodes: 2, arguments: [])
            .command(environment: ["SLURM_JOB_ID": "7"]).argv
        #expect(inSlurm == ["srun", "--mpi=pmix", "-n", "4", "-N", "2", "/x/pilot-dsv", "--expect-ranks", "4"])
    }
}
