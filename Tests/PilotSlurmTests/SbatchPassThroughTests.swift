import Foundation
import Testing
@testable import PilotSlurm

/// Profiles' `sbatch:` options, SBATCH_* variables and the two submission paths.
@Suite struct SbatchPassThroughTests {
    static let context = JobScriptRendererTests.context
    static let environment = ["PATH": "/usr/bin:/bin", "HOME": "/home/u"]

    static func goldenProfile(_ name: String) -> String {
        TestSupport.repoRoot.appendingPathComponent("Tests/PilotSlurmTests/Golden/profiles/\(name).yaml").path
    }

    /// Renders the profile and derives the request as the manager does.
    func pilotRequest(_ profileName: String, environment: [String: String] = environment,
                 overrides: ProfileOverrides = ProfileOverrides()) throws -> (script: String, request: BatchJobRequest) {
        let profile = try ClusterProfile.load(path: Self.goldenProfile(profileName))
        let script = try JobScriptRenderer(templatePath: TestSupport.templatePath)
            .render(profile: profile, overrides: overrides, context: Self.context, environment: environment)
        let request = try BatchJobRequest.pilot(profile: profile, overrides: overrides, context: Self.context,
                                                script: script, environment: environment)
        return (script, request)
    }

    func assertGolden(_ text: String, _ name: String) throws {
        try JobScriptRendererTests().assertGolden(text, name)
    }

    @Test func typedGRESGoesThroughTheJobDescriptor() throws {
        let (script, request) = try pilotRequest("typed-gres")
        #expect(script.contains("#SBATCH --gres=gpu:a100:4\n"))
        #expect(script.contains("#SBATCH --mail-type=END,FAIL\n"))
        #expect(request.submissionPath == .libslurm)
        #expect(request.gres == ["gpu:a100:4"])
        #expect(LibSlurmClient.tresPerNode(request) == "gres:gpu:a100:4")
        #expect(request.exclusive == .user)
        #expect(request.requeue == false)
        #expect(request.mailType == "END,FAIL")
        #expect(SbatchOptionCatalog.mailType("END,FAIL") == 0b110)
        try assertGolden(request.requestDescription(), "typed-gres.request")
    }

    @Test func licensesGoThroughTheJobDescriptor() throws {
        let (script, request) = try pilotRequest("licenses")
        #expect(script.contains("#SBATCH --licenses=matlab:2,fluent\n"))
        #expect(script.contains("#SBATCH --comment=\"pilot with licenses\"\n"))
        #expect(request.licenses == "matlab:2,fluent")
        #expect(request.comment == "pilot with licenses")
        #expect(request.nice == 10)
        #expect(request.submissionPath == .libslurm)
        try assertGolden(request.requestDescription(), "licenses.request")
    }

    @Test func unknownOptionsFallBackToSbatch() throws {
        let (script, request) = try pilotRequest("unknown-option")
        let expected = ["--clusters=quantum", "--qpu=ibm_torino", "--hint=nomultithread"].compactMap(SbatchOption.init)
        #expect(request.submissionPath == .sbatch(options: expected))
        #expect(request.gres == ["qpu:1"])
        #expect(script.contains("# Submitted through sbatch (no job-descriptor field for --clusters=quantum --qpu=ibm_torino --hint=nomultithread).\n"))
        #expect(Array(request.sbatchArguments.prefix(2)) == ["sbatch", "--parsable"])
        #expect(request.sbatchArguments.contains("--gres=qpu:1"))
        try assertGolden(request.requestDescription(), "unknown-option.request")
        try assertGolden(script, "unknown-option-pilot.sbatch")
    }

    @Test func sbatchInputVariablesRankBetweenProfileAndCommandLine() throws {
        var env = Self.environment
        env["SBATCH_PARTITION"] = "fromenv"
        env["SBATCH_RESERVATION"] = "resv1"
        env["SBATCH_TIMELIMIT"] = "20"
        env["SBATCH_JOB_NAME"] = "hijack"
        env["SBATCH_ARRAY_INX"] = "1-10"
        env["SBATCH_GRES"] = "gpu:v100:1"
        let (script, request) = try pilotRequest("licenses", environment: env)
        #expect(request.partition == "fromenv")
        #expect(request.reservation == "resv1")
        #expect(request.timeLimitMinutes == 20)
        #expect(request.gres == ["gpu:v100:1"])
        // A pilot's name and shape stay the manager's.
        #expect(request.name == "pilot-p-0007")
        #expect(script.contains("# From the environment: SBATCH_PARTITION → --partition=fromenv\n"))
        #expect(script.contains("# From the environment: SBATCH_JOB_NAME ignored: "))
        #expect(script.contains("# From the environment: SBATCH_ARRAY_INX ignored: "))
        #expect(!script.contains("--array"))

        let overrides = try ProfileOverrides.parse(arguments: ["-p", "fromcli"]).overrides
        let (_, overridden) = try pilotRequest("licenses", environment: env, overrides: overrides)
        #expect(overridden.partition == "fromcli")
        #expect(overridden.reservation == "resv1")
    }

    @Test func sbatchLeavesTheInputVariablesOut() throws {
        var (_, request) = try pilotRequest("unknown-option")
        request.environment["SBATCH_ARRAY_INX"] = "1-3"
        let env = SbatchCommand.environment(for: request, slurmConf: "/etc/slurm/x.conf")
        #expect(env["SBATCH_ARRAY_INX"] == nil)
        #expect(env["SLURM_CONF"] == "/etc/slurm/x.conf")
        #expect(env["HOME"] == "/home/u")
    }

    @Test func optionSpellingsFold() throws {
        #expect(SbatchOption("-M")?.name == "clusters")
        #expect(SbatchOption("-Lmatlab:1") == SbatchOption(name: "licenses", value: "matlab:1"))
        #expect(SbatchOption(name: "mail_type", value: "ALL")?.directive == "--mail-type=ALL")
        #expect(SbatchOption(name: "cluster", value: "a")?.name == "clusters")
        #expect(SbatchOption("--comment=a b")?.value == "a b")
        #expect(SbatchOption("--mail-type ALL") == nil)
        #expect(SbatchOption(name: "x", value: "line\nbreak") == nil)
        #expect(SbatchOption(name: "comment", value: "say \"hi\"")?.directive == "--comment=\"say \\\"hi\\\"\"")
    }

    @Test func directivesRoundTripThroughTheScript() throws {
        var request = BatchJobRequest(script: "#!/bin/sh\n", name: "rt", partition: "p", nodes: 3, ntasksPerNode: 2,
                                      cpusPerTask: 4, gpusPerNode: 1, timeLimitMinutes: 90, workingDirectory: "/w",
                                      standardOutput: "/w/o-%j", environment: [:],
                                      signalBeforeEnd: SignalBeforeEnd(signal: 12, seconds: 30), exclusive: true,
                                      memoryPerNodeMiB: 4096, reservation: "r", comment: "two words", requeue: true)
        request.licenses = "lic:2"
        request.gres = ["gpu:a100:2", "qpu:1"]
        request.mailType = "ALL"
        request.hold = true
        request.sbatchOnly = [try #require(SbatchOption("--hint=compute_bound"))]
        let header = request.options.map { "#SBATCH \($0.directive)" }.joined(separator: "\n")
        var script = "#!/bin/sh\n" + header + "\necho hi\n#SBATCH --ignored-after-command\n"
        script = script.replacingOccurrences(of: "#SBATCH --job-name=rt", with: "#SBATCH --job-name=rt # trailing comment")
        var parsed = try BatchJobRequest(script: script, workingDirectory: "/", environment: [:])
        parsed.script = request.script
        #expect(parsed == request)
    }

    @Test func sbatchPathRunsSbatchWithTheScriptAsAFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fake-sbatch-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let fake = dir.appendingPathComponent("sbatch").path
        try """
            #!/bin/sh
            for a in "$@"; do last=$a; done
            printf '%s\\n' "$@" | sed '$d' > "\(dir.path)/args"
            cat "$last" > "\(dir.path)/script"
            echo "$last" > "\(dir.path)/path"
            env > "\(dir.path)/env"
            echo "sbatch: warning: something harmless" >&2
            echo "4242;quantum"
            """.write(toFile: fake, atomically: true, encoding: .utf8)
        chmod(fake, 0o755)
        var (script, request) = try pilotRequest("unknown-option")
        request.workingDirectory = dir.path
        let id = try SbatchCommand(executable: fake).submit(request, slurmConf: nil)
        #expect(id == 4242)
        let args = try String(contentsOfFile: dir.appendingPathComponent("args").path, encoding: .utf8)
        #expect(args == request.sbatchArguments.dropFirst().joined(separator: "\n") + "\n")
        #expect(try String(contentsOfFile: dir.appendingPathComponent("script").path, encoding: .utf8) == script)
        let copy = try String(contentsOfFile: dir.appendingPathComponent("path").path, encoding: .utf8)
        #expect(!FileManager.default.fileExists(atPath: copy.trimmingCharacters(in: .newlines)), "the script's copy is removed")

        try "#!/bin/sh\necho 'sbatch: error: Invalid qpu' >&2\nexit 1\n".write(toFile: fake, atomically: true, encoding: .utf8)
        chmod(fake, 0o755)
        #expect {
            try SbatchCommand(executable: fake).submit(request, slurmConf: nil)
        } throws: { error in
            let e = error as? SlurmError
            return e?.code == .submitFailed && e?.slurmErrorText == "sbatch: error: Invalid qpu"
        }
    }
}

extension SbatchPassThroughTests {
    @Test func shippedQPUSiteProfileAsksTheQRMIWay() throws {
        let profile = try ClusterProfile.load(path: TestSupport.profilePath("qpu-site"))
        let script = try JobScriptRenderer(templatePath: TestSupport.templatePath)
            .render(profile: profile, context: Self.context, environment: [:])
        #expect(script.contains("#SBATCH --gres=qpu:1\n#SBATCH --qpu=ibm_torino\n"))
        let request = try BatchJobRequest.pilot(profile: profile, context: Self.context, script: script, environment: [:])
        #expect(request.submissionPath == .sbatch(options: [SbatchOption(name: "qpu", value: "ibm_torino")!]))
        #expect(request.mailType == "FAIL")
    }
}
