import Testing
@testable import PilotSlurm

@Suite struct ProfileOverridesTests {
    @Test func parsesSlurmSpellings() throws {
        let (o, rest) = try ProfileOverrides.parse(arguments: [
            "-N4", "--time=2:00:00", "-p", "gpu", "--account=abc", "--qos", "high", "-Ca100", "--gpus-per-node=1",
            "--verbose", "file.qasm",
        ])
        #expect(o == ProfileOverrides(nodes: 4, walltime: SlurmDuration(seconds: 7200), partition: "gpu",
                                      account: "abc", qos: "high", constraint: "a100", gpusPerNode: 1))
        #expect(rest == ["--verbose", "file.qasm"])
    }

    @Test func walltimeAliasAndPlainMinutes() throws {
        #expect(try ProfileOverrides.parse(arguments: ["--walltime", "45"]).overrides.walltime?.seconds == 2700)
        #expect(try ProfileOverrides.parse(arguments: ["-t", "1-0"]).overrides.walltime?.seconds == 86_400)
        #expect(try ProfileOverrides.parse(arguments: ["--nodes", "3"]).overrides.nodes == 3)
    }

    @Test(arguments: [
        (["--nodes"], "--nodes", "needs a value"),
        (["-N", "x"], "--nodes", "not a whole number"),
        (["--time=1:99:00"], "--time", "minutes must be 0-59"),
        (["--gpus-per-node=a"], "--gpus-per-node", "not a whole number"),
    ])
    func rejectsBadFlags(arguments: [String], field: String, reason: String) {
        #expect {
            try ProfileOverrides.parse(arguments: arguments)
        } throws: { error in
            let e = error as? ProfileError
            return e?.field == field && e?.reason.contains(reason) == true
        }
    }

    @Test func appliesOverProfileAndRevalidates() throws {
        let profile = try ClusterProfile.load(path: TestSupport.profilePath("local"))
        let p = try profile.applying(ProfileOverrides(nodes: 4, walltime: SlurmDuration(seconds: 600), qos: "fast"))
        #expect(p.nodes == 4)
        #expect(p.walltime.seconds == 600)
        #expect(p.qos == "fast")
        #expect(p.partition == "debug")

        // 60 s drain signal does not fit into a 1-minute walltime.
        #expect {
            try profile.applying(ProfileOverrides(walltime: SlurmDuration(seconds: 60)))
        } throws: { error in
            let e = error as? ProfileError
            return e?.field == "--time" && e?.reason.contains("not shorter than the walltime") == true
        }
        #expect {
            try profile.applying(ProfileOverrides(partition: "a b"))
        } throws: { ($0 as? ProfileError)?.field == "--partition" }
        #expect {
            try profile.applying(ProfileOverrides(nodes: 0))
        } throws: { ($0 as? ProfileError)?.field == "--nodes" }
    }
}
