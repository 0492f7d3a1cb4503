import Foundation
import Testing
@testable import PilotSlurm

/// The rendered job script run by bash with stand-ins for `srun` and `pilot`: the walltime
/// warning reaches the shell only, so the shell itself must forward it and keep waiting.
@Suite struct JobScriptShellTests {
    @Test func forwardsTheWalltimeWarningAndExitsWithSrunsStatus() async throws {
        let dir = NSTemporaryDirectory() + "jobscript-shell-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir + "/bin", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // srun: says it started, then runs until told to end, and ends with status 3.
        try stub(dir + "/bin/srun", """
            #!/bin/bash
            echo "$@" > \(dir)/srun.args
            touch \(dir)/srun.started
            while [ ! -e \(dir)/srun.release ] && [ -d \(dir) ]; do sleep 0.01; done
            exit 3
            """)
        // pilot: records how it was called (only `pilots drain` runs on the batch node).
        try stub(dir + "/bin/pilot", "#!/bin/bash\necho \"$@\" >> \(dir)/pilot.calls\n")
        var context = JobScriptRendererTests.context
        context.pilotBinary = dir + "/bin/pilot"
        context.tokenFile = dir + "/server/access.json"
        let profile = try ClusterProfile.load(path: TestSupport.profilePath("local"))
        let script = try JobScriptRenderer(templatePath: TestSupport.templatePath).render(profile: profile, context: context)
        try script.write(toFile: dir + "/job.sh", atomically: true, encoding: .utf8)

        let bash = Process()
        // A shell cannot trap a signal it was started with ignored; slurmstepd starts the batch
        // shell with default dispositions, the test runner may not pass them on.
        bash.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        bash.arguments = ["--default-signal=USR1", "/bin/bash", dir + "/job.sh"]
        var env = ProcessInfo.processInfo.environment
        env["PATH"] = dir + "/bin:" + (env["PATH"] ?? "/usr/bin:/bin")
        env["SLURM_CPUS_ON_NODE"] = "4"
        env.removeValue(forKey: "SLURM_JOB_END_TIME")
        bash.environment = env
        try bash.run()
        defer {
            // The stand-in srun ends on its own once released, whatever happened to the shell.
            FileManager.default.createFile(atPath: dir + "/srun.release", contents: nil)
            if bash.isRunning { kill(bash.processIdentifier, SIGKILL) }
        }

        try await until { FileManager.default.fileExists(atPath: dir + "/srun.started") }
        kill(bash.processIdentifier, SIGUSR1)
        let calls = try await until { try? String(contentsOfFile: dir + "/pilot.calls", encoding: .utf8) }
        // The shell forwarded the warning as a drain of its pilot, to the manager of its token file,
        // with no deadline of its own: the job's end is the deadline.
        #expect(calls == "pilots drain --server-dir \(dir)/server --reason Slurm walltime warning p-0007\n", "\(calls)")
        // ...and went on waiting for srun, whose status becomes the job's.
        #expect(bash.isRunning)
        FileManager.default.createFile(atPath: dir + "/srun.release", contents: nil)
        bash.waitUntilExit()
        #expect(bash.terminationReason == .exit && bash.terminationStatus == 3)
        let args = try String(contentsOfFile: dir + "/srun.args", encoding: .utf8)
        #expect(args.contains("\(dir)/bin/pilot agent --pilot-id p-0007"), "\(args)")
        // No controller query at start-up: the agents ask libslurm for the end time themselves.
        let commands = script.split(separator: "\n").filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("#") }
        #expect(!commands.contains { $0.contains("squeue") })
        #expect(script.contains("export PILOT_WALLTIME_SECONDS=\(profile.walltime.seconds)\n"))
    }

    private func stub(_ path: String, _ text: String) throws {
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o755)
    }

    /// Polls a condition the script produces (no fixed sleeps); fails after a generous bound.
    private func until(_ what: () -> Bool) async throws {
        _ = try await until { what() ? true : nil }
    }

    private func until<T>(_ what: () -> T?) async throws -> T {
        for _ in 0..<3000 {
            if let v = what() { return v }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw Stuck(description: "the job script did not get there within 30 s")
    }

    struct Stuck: Error, CustomStringConvertible { var description: String }
}
