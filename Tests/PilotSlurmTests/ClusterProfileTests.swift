import Testing
@testable import PilotSlurm

@Suite struct ClusterProfileTests {
    @Test func loadsShippedLocalProfile() throws {
        let p = try ClusterProfile.load(path: TestSupport.profilePath("local"))
        #expect(p.name == "local")
        #expect(p.partition == "debug")
        #expect(p.nodes == 2)
        #expect(p.coresPerNode == 4)
        #expect(p.gpusPerNode == 2)
        #expect(p.memoryPerNodeMiB == 2048)
        #expect(p.walltime.seconds == 1800)
        #expect(p.qpuDevices.map(\.name) == ["ideal-sim", "superconducting-27", "trapped-ion-11"])
        #expect(p.agent == AgentOptions(heartbeatInterval: 5, drainSignalSeconds: 60))
    }

    @Test func loadsShippedGPULargeProfile() throws {
        let p = try ClusterProfile.load(path: TestSupport.profilePath("gpu-large"))
        #expect(p.gpusPerNode == 4)
        #expect(p.coresPerNode == 64)
        #expect(p.account == "qhpc-prj042")
        #expect(p.qos == "normal")
        #expect(p.constraint == "a100&ib")
        #expect(p.exclusive)
        #expect(p.walltime.seconds == 86_400)
        #expect(p.memoryPerNodeMiB == 480 * 1024)
        #expect(p.setup.contains("module load gcc/12.2.0 openmpi/4.1.5 cuda/12.2"))
        #expect(p.qpuDevices == [QPUDeviceAccess(name: "ideal-sim"),
                                 QPUDeviceAccess(name: "superconducting-27", slots: 2),
                                 QPUDeviceAccess(name: "trapped-ion-11", slots: 1)])
        #expect(p.agent.drainSignalSeconds == 300)
    }

    @Test func appliesDefaultsAndAcceptsAlternativeForms() throws {
        let p = try ClusterProfile.parse(yaml: """
            version: 1
            name: minimal
            walltime: 90
            memory_per_node: 512
            sbatch_extra: ["#SBATCH --requeue"]
            """, file: "min.yaml")
        #expect(p.nodes == 1)
        #expect(p.gpusPerNode == 0)
        #expect(p.walltime.seconds == 5400)
        #expect(p.memoryPerNodeMiB == 512)
        #expect(p.sbatch == [SbatchOption(name: "requeue", value: nil)])
        #expect(p.agent.drainSignalSeconds == AgentOptions.defaultDrainSignalSeconds)
        #expect(p.sourcePath == "min.yaml")
    }

    static let base = "version: 1\nname: t\nwalltime: \"01:00:00\"\n"

    /// (yaml, expected field, expected text in reason, expected line)
    static let malformed: [(String, String, String, Int?)] = [
        ("version: 2\nname: t\nwalltime: 10\n", "version", "unsupported version 2", 1),
        ("name: t\nwalltime: 10\n", "version", "missing", nil),
        (base + "nodse: 2\n", "nodse", "did you mean 'nodes'", 4),
        (base + "nodes: two\n", "nodes", "must be an integer, got 'two'", 4),
        (base + "nodes: 0\n", "nodes", "must be between 1 and 100000, got 0", 4),
        (base + "gpus_per_node: 65\n", "gpus_per_node", "must be between 0 and 64, got 65", 4),
        ("version: 1\nname: t\nwalltime: \"1-25:00\"\n", "walltime", "hours must be 0-23", 3),
        (base + "memory_per_node: 4Q\n", "memory_per_node", "not a size like 4G", 4),
        (base + "partition: \"debug; rm -rf /\"\n", "partition", "may only contain", 4),
        (base + "qpu_devices:\n  - ideal-sim\n  - name: ideal-sim\n", "qpu_devices[1]", "listed twice", 6),
        (base + "qpu_devices:\n  - name: x\n    slots: 0\n", "qpu_devices[0].slots", "must be between 1 and 100000", 6),
        (base + "agent:\n  heartbeat: 5\n", "agent.heartbeat", "did you mean 'heartbeat_interval'", 5),
        (base + "agent:\n  drain_signal_seconds: 3600\n", "agent.drain_signal_seconds", "not shorter than the walltime", 5),
        (base + "sbatch_extra:\n  - --mail-type ALL\n", "sbatch_extra[0]", "not an sbatch option", 5),
        (base + "sbatch:\n  job-name: x\n", "sbatch.job-name", "set by SwiftPilot", 5),
        (base + "sbatch:\n  J: x\n", "sbatch.J", "--job-name is set by SwiftPilot", 5),
        (base + "partition: a\nsbatch:\n  partition: b\n", "sbatch.partition", "also given as 'partition:'", 6),
        (base + "sbatch:\n  reservation: true\n", "sbatch.reservation", "needs a value", 5),
        (base + "sbatch:\n  comment: {a: 1}\n", "sbatch.comment", "must be a value", 5),
        (base + "sbatch:\n  nodes: many\n", "sbatch.nodes", "not a whole number", 5),
        (base + "setup: module load x\n", "setup", "must be a list", 4),
        (base + "nodes: 2\nnodes: 3\n", "nodes", "appears more than once", 5),
        (base + "exclusive: yes please\n", "exclusive", "must be true or false", 4),
        ("- just\n- a list\n", "", "must be a mapping, got a list", 1),
        ("version: 1\nname: [unclosed\n", "", "YAML syntax error", 3),
        ("", "", "the file is empty", 1),
    ]

    @Test(arguments: malformed)
    func rejectsMalformedProfile(yaml: String, field: String, reason: String, line: Int?) throws {
        let error = try #require(TestSupport.profileError(yaml, file: "Profiles/bad.yaml"))
        #expect(error.file == "Profiles/bad.yaml")
        #expect(error.field == field)
        #expect(error.reason.contains(reason), "reason was: \(error.reason)")
        if let line { #expect(error.line == line, "\(error)") }
        #expect(error.description.hasPrefix("Profiles/bad.yaml"))
    }

    @Test func missingFileNamesThePath() {
        #expect {
            try ClusterProfile.load(path: "/nonexistent/p.yaml")
        } throws: { error in
            let e = error as? ProfileError
            return e?.file == "/nonexistent/p.yaml" && e?.reason.contains("cannot read the file") == true
        }
    }
}
