import Foundation
import Testing
@testable import PilotSlurm

@Suite struct JobScriptRendererTests {
    static let context = JobScriptContext(
        pilotID: "p-0007", managerHost: "mgr.example.org", managerPort: 7450,
        tokenFile: "/home/u/.swiftpilot/token", pilotBinary: "/opt/swiftpilot/bin/pilot",
        logDirectory: "/scratch/u/swiftpilot/logs")

    /// Compares with Golden/<name>; SWIFTPILOT_UPDATE_GOLDEN=1 rewrites the file in the source tree.
    func assertGolden(_ rendered: String, _ name: String) throws {
        if ProcessInfo.processInfo.environment["SWIFTPILOT_UPDATE_GOLDEN"] == "1" {
            let url = TestSupport.repoRoot.appendingPathComponent("Tests/PilotSlurmTests/Golden/\(name)")
            try rendered.write(to: url, atomically: true, encoding: .utf8)
        }
        let url = try #require(Bundle.module.url(forResource: "Golden/\(name)", withExtension: nil),
                               "missing golden file \(name)")
        let expected = try String(contentsOf: url, encoding: .utf8)
        #expect(rendered == expected)
    }

    @Test func rendersLocalProfile() throws {
        let renderer = try JobScriptRenderer(templatePath: TestSupport.templatePath)
        let profile = try ClusterProfile.load(path: TestSupport.profilePath("local"))
        let script = try renderer.render(profile: profile, context: Self.context)
        #expect(script.hasPrefix("#!/bin/bash\n"))
        try assertGolden(script, "local-pilot.sbatch")
    }

    @Test func rendersGPULargeProfileWithOverrides() throws {
        let renderer = try JobScriptRenderer(templatePath: TestSupport.templatePath)
        let profile = try ClusterProfile.load(path: TestSupport.profilePath("gpu-large"))
        let overrides = try ProfileOverrides.parse(arguments: ["-N", "16", "-t", "12:00:00", "--qos=long"]).overrides
        let script = try renderer.render(profile: profile, overrides: overrides, context: Self.context)
        #expect(script.contains("#SBATCH --nodes=16\n"))
        #expect(script.contains("#SBATCH --qos=long\n"))
        try assertGolden(script, "gpu-large-pilot.sbatch")
    }

    @Test func sbatchHeaderIsContiguous() throws {
        // sbatch stops reading #SBATCH lines at the first command.
        let renderer = try JobScriptRenderer(templatePath: TestSupport.templatePath)
        let profile = try ClusterProfile.load(path: TestSupport.profilePath("gpu-large"))
        let lines = try renderer.render(profile: profile, context: Self.context).split(separator: "\n")
        let lastDirective = try #require(lines.lastIndex { $0.hasPrefix("#SBATCH") })
        let firstCommand = try #require(lines.firstIndex { !$0.hasPrefix("#") })
        #expect(lastDirective < firstCommand)
    }

    @Test func quotesValuesForTheShell() throws {
        let renderer = try JobScriptRenderer(templatePath: TestSupport.templatePath)
        let profile = try ClusterProfile.load(path: TestSupport.profilePath("local"))
        var context = Self.context
        context.tokenFile = "/tmp/it's here/token"
        let script = try renderer.render(profile: profile, context: context)
        #expect(script.contains("export PILOT_TOKEN_FILE='/tmp/it'\\''s here/token'\n"))
    }

    @Test func rejectsBadContext() throws {
        let renderer = try JobScriptRenderer(templatePath: TestSupport.templatePath)
        let profile = try ClusterProfile.load(path: TestSupport.profilePath("local"))
        var context = Self.context
        context.pilotID = "p 1;reboot"
        #expect(throws: JobScriptError.self) { try renderer.render(profile: profile, context: context) }
        context = Self.context
        context.logDirectory = "relative/logs"
        #expect(throws: JobScriptError.invalidContext(field: "logDirectory", reason: "'relative/logs' must be absolute")) {
            try renderer.render(profile: profile, context: context)
        }
    }

    @Test func findsTemplateBesideExecutableOrFailsListingPaths() throws {
        let candidates = JobScriptRenderer.candidateTemplatePaths(
            environment: ["SWIFTPILOT_JOBSCRIPTS": "/etc/sp"], executable: "/repo/.build/debug/pilot",
            currentDirectory: "/work")
        #expect(candidates.first == "/etc/sp/pilot.sbatch.mustache")
        #expect(candidates.contains("/repo/JobScripts/pilot.sbatch.mustache"))
        #expect(candidates.last == "/work/JobScripts/pilot.sbatch.mustache")
        #expect {
            try JobScriptRenderer(templatePath: "/nonexistent/pilot.sbatch.mustache")
        } throws: { error in
            if case .templateUnreadable(let path, _) = error as? JobScriptError { return path.hasPrefix("/nonexistent") }
            return false
        }
    }

    @Test func pilotRequestMirrorsTheScript() throws {
        let profile = try ClusterProfile.load(path: TestSupport.profilePath("gpu-large"))
        let renderer = try JobScriptRenderer(templatePath: TestSupport.templatePath)
        let script = try renderer.render(profile: profile, context: Self.context, environment: [:])
        let request = try BatchJobRequest.pilot(profile: profile, context: Self.context, script: script,
                                                environment: ["PATH": "/bin"])
        #expect(request.name == "pilot-p-0007")
        #expect(request.nodes == 8)
        #expect(request.ntasksPerNode == 1)
        #expect(request.cpusPerTask == 64)
        #expect(request.gpusPerNode == 4)
        #expect(request.timeLimitMinutes == 1440)
        // The batch shell only: Slurm would otherwise signal every task the agents run.
        #expect(request.signalBeforeEnd == SignalBeforeEnd(signal: 10, seconds: 300, target: .batchShell))
        #expect(request.signalBeforeEnd?.sbatchValue == "B:USR1@300")
        #expect(script.contains("#SBATCH --signal=\(request.signalBeforeEnd!.sbatchValue)\n"))
        #expect(request.exclusive == .node)
        #expect(request.requeue == false)
        #expect(request.comment == "swiftpilot")
        #expect(request.workingDirectory == "/scratch/u/swiftpilot/logs")
        #expect(request.standardOutput == "/scratch/u/swiftpilot/logs/pilot-p-0007-%j.out")
        #expect(request.submissionPath == .libslurm)

        // An option the job descriptor has no field for sends the pilot through sbatch.
        var unsupported = profile
        try unsupported.add(try #require(SbatchOption("--hint=nomultithread")))
        let other = try renderer.render(profile: unsupported, context: Self.context, environment: [:])
        #expect(other.contains("# Submitted through sbatch (no job-descriptor field for --hint=nomultithread).\n"))
        let viaSbatch = try BatchJobRequest.pilot(profile: unsupported, context: Self.context, script: other, environment: [:])
        #expect(viaSbatch.submissionPath == .sbatch(options: [try #require(SbatchOption("--hint=nomultithread"))]))
        #expect(viaSbatch.sbatchArguments.last == "--hint=nomultithread")
    }
}
