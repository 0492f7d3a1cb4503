import Foundation
import PilotCore
import PilotProtocol
import Testing

/// Site features on the second local cluster that `JobScripts/test.sh` starts with the
/// opt-in modes (`SWIFTPILOT_SLURM_LICENSES`, `_QPUS`, `_CONFIGLESS`): licenses, options only
/// sbatch takes, QPUs given as a GRES, and a manager that has no slurm.conf at all.
@Suite(.serialized) struct SiteSlurmEndToEndTests {
    static var dir: String {
        ProcessInfo.processInfo.environment["SWIFTPILOT_SITE_SLURM_DIR"] ?? "/tmp/swiftpilot-slurm-site"
    }
    static var conf: String { dir + "/slurm.conf" }

    /// The controller's port from its slurm.conf, for SLURM_CONF_SERVER.
    static func ctldPort() throws -> String {
        let text = try String(contentsOfFile: conf, encoding: .utf8)
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("SlurmctldPort=") }) else {
            throw E2EError("no SlurmctldPort in \(conf)")
        }
        return String(line.dropFirst("SlurmctldPort=".count))
    }

    static func slurm(_ argv: [String]) throws -> (status: Int32, out: String, err: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["SLURM_CONF=\(conf)"] + argv
        let o = Pipe(), e = Pipe()
        p.standardOutput = o
        p.standardError = e
        try p.run()
        let out = o.fileHandleForReading.readDataToEndOfFile(), err = e.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
    }

    /// Not reachable, or started without the modes, is a failure that says how to start it.
    /// Points SLURM_CONF of this process (inherited by the manager it starts) at the site
    /// cluster; the returned closure puts the previous value back for the suites that follow.
    static func useSiteConf() -> () -> Void {
        let previous = ProcessInfo.processInfo.environment["SLURM_CONF"]
        setenv("SLURM_CONF", conf, 1)
        return { if let previous { setenv("SLURM_CONF", previous, 1) } else { unsetenv("SLURM_CONF") } }
    }

    static func require() throws {
        let start = "SWIFTPILOT_SLURM_CTLD_PORT=6917 SWIFTPILOT_SLURM_NODE_PORT=17100 SWIFTPILOT_SLURM_CLUSTER=site SWIFTPILOT_SLURM_LICENSES=swiftpilot_lic:2 SWIFTPILOT_SLURM_QPUS=ibm_torino SWIFTPILOT_SLURM_CONFIGLESS=1 JobScripts/local-slurm.sh start \(dir)"
        guard FileManager.default.fileExists(atPath: conf) else { throw E2EError("site cluster not found at \(dir); start it with: \(start)") }
        let lic = try slurm(["scontrol", "show", "lic"])
        guard lic.status == 0, lic.out.contains("swiftpilot_lic") else {
            throw E2EError("site cluster has no license swiftpilot_lic (\(lic.err)); start it with: \(start)")
        }
    }

    func writeProfile(_ c: LiveCluster, _ name: String, sbatch: String) throws -> String {
        let path = "\(c.dir)/\(name).yaml"
        try """
            version: 1
            name: \(name)
            partition: debug
            nodes: 1
            cores_per_node: 2
            walltime: 10
            agent:
              heartbeat_interval: 5
              drain_signal_seconds: 30
            sbatch:
            \(sbatch)
            """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func runTasks(_ c: LiveCluster, count: Int, body: String = "echo ran on $PILOT_NODE") async throws -> [TaskInfo] {
        let spec = TaskSpec(name: "t", command: ["/bin/sh", "-c", body], request: ResourceRequest(cores: 1))
        let r = try await c.client.submit(SubmitRequest(array: ArraySubmission(template: spec, range: "1-\(count)")))
        let w = try await c.waitAll(timeout: 120)
        #expect(w.summary.count(.done) == count, "\(c.log("manager"))")
        return try await (0..<Int64(count)).asyncMap { try await c.client.task(r.first + $0) }
    }

    @Test func licensedPilotGoesThroughLibslurmAndAnSbatchOnlyOptionThroughSbatch() async throws {
        try Self.require()
        let restore = Self.useSiteConf()
        defer { restore() }
        let c = LiveCluster(tag: "licenses")
        var jobs: [String] = []
        defer { if !jobs.isEmpty { _ = try? Self.slurm(["scancel"] + jobs) }; c.shutdown() }
        try await c.startManager()

        let licensed = try writeProfile(c, "licensed", sbatch: "  licenses: swiftpilot_lic:1")
        let dry = try PilotBinary.run(["pilots", "submit", "--server-dir", c.dir, "--profile", licensed, "--dry-run"])
        #expect(dry.status == 0, "\(dry.err)")
        #expect(dry.out.contains("#SBATCH --licenses=swiftpilot_lic:1\n"))
        #expect(dry.out.contains("path: libslurm (slurm_submit_batch_job)\n"))
        #expect(dry.out.contains("  licenses = swiftpilot_lic:1\n"))

        // open_mode has no field in SwiftPilot's descriptor mapping: this pilot is submitted by sbatch.
        let viaSbatch = try writeProfile(c, "via-sbatch", sbatch: "  licenses: swiftpilot_lic:1\n  open-mode: append")
        let dry2 = try PilotBinary.run(["pilots", "submit", "--server-dir", c.dir, "--profile", viaSbatch, "--dry-run"])
        #expect(dry2.out.contains("path: sbatch (no job-descriptor field for --open-mode=append)\n"), "\(dry2.out)")
        #expect(dry2.out.contains("  --licenses=swiftpilot_lic:1\n"))

        let a = try c.submitPilot(["--profile", licensed])
        let b = try c.submitPilot(["--profile", viaSbatch])
        jobs = [a.job, b.job]
        _ = try await c.waitForPilots([a.id, b.id], agentsEach: 1)
        for job in jobs {
            let shown = try Self.slurm(["scontrol", "show", "job", job])
            #expect(shown.out.contains("Licenses=swiftpilot_lic:1"), "\(shown.out)")
        }
        #expect(try Self.slurm(["scontrol", "show", "job", b.job]).out.contains("pilot-\(b.id)"))
        let tasks = try await runTasks(c, count: 8)
        #expect(Set(tasks.compactMap(\.agent)).count == 2, "both pilots ran tasks")
    }

    @Test func configlessManagerSubmitsRunsAndCancelsWithNoSlurmConf() async throws {
        try Self.require()
        let port = try Self.ctldPort()
        let c = LiveCluster(tag: "configless")
        var jobs: [String] = []
        defer { if !jobs.isEmpty { _ = try? Self.slurm(["scancel"] + jobs) }; c.shutdown() }
        // No SLURM_CONF, no /etc/slurm/slurm.conf here, and an empty /run/slurm in the manager's own
        // mount namespace hides the configless slurmd's cached copy: only the controller has the
        // configuration. SLURM_CONF_SERVER stands in for the DNS SRV record a site would publish.
        #expect(!FileManager.default.fileExists(atPath: "/etc/slurm/slurm.conf"), "this test needs a host without /etc/slurm/slurm.conf")
        func start(_ tag: String, server: String?) throws -> Process {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
            var env = ProcessInfo.processInfo.environment
            env.removeValue(forKey: "SLURM_CONF")
            env.removeValue(forKey: "SLURM_CONF_SERVER")
            if let server { env["SLURM_CONF_SERVER"] = server }
            p.environment = env
            p.arguments = ["--mount", "sh", "-c", "mount -t tmpfs tmpfs /run/slurm && exec \"$0\" \"$@\"", PilotBinary.path,
                           "manager", "start", "--server-dir", c.dir, "--port", "0"]
            p.currentDirectoryURL = PilotBinary.root
            let log = c.dir + "/\(tag).log"
            FileManager.default.createFile(atPath: log, contents: nil)
            let h = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
            p.standardOutput = h
            p.standardError = h
            try p.run()
            return p
        }

        // Nothing to find: the submit fails with every source tried, and the manager stays up.
        c.manager = try start("manager-noconf", server: nil)
        c.client = try await c.waitForManager()
        let profile = try writeProfile(c, "configless", sbatch: "  comment: configless")
        let refused = try PilotBinary.run(["pilots", "submit", "--server-dir", c.dir, "--profile", profile])
        #expect(refused.status != 0)
        for tried in ["/etc/slurm/slurm.conf", "/run/slurm/conf/slurm.conf", "DNS SRV _slurmctld._tcp", "Could not establish a configuration source"] {
            #expect(refused.err.contains(tried), "\(refused.err)")
        }
        #expect(try await c.client.health())
        c.manager?.terminate()
        c.manager?.waitUntilExit()

        c.manager = try start("manager", server: "localhost:\(port)")
        c.client = try await c.waitForManager()
        let p = try c.submitPilot(["--profile", profile])
        jobs = [p.job]
        _ = try await c.waitForPilots([p.id], agentsEach: 1)
        let tasks = try await runTasks(c, count: 4)
        #expect(tasks.allSatisfy { $0.state == .done })
        let cancel = try PilotBinary.run(["pilots", "cancel", "--server-dir", c.dir, p.id])
        #expect(cancel.status == 0, "\(cancel.err)")
        try await c.poll("pilot \(p.id) cancelled", timeout: 60) { try await c.client.pilot(p.id).state == .cancelled }
        let state = try Self.slurm(["scontrol", "show", "job", p.job])
        #expect(state.out.contains("JobState=CANCELLED") || state.out.contains("JobState=COMPLETING"), "\(state.out)")
    }

    @Test func pilotAskingForAQPUGRESRegistersItsQRMIQPU() async throws {
        try Self.require()
        let restore = Self.useSiteConf()
        defer { restore() }
        let c = LiveCluster(tag: "qrmi")
        var jobs: [String] = []
        defer { if !jobs.isEmpty { _ = try? Self.slurm(["scancel"] + jobs) }; c.shutdown() }
        try await c.startManager()
        let profile = try writeProfile(c, "qpu", sbatch: "  gres: qpu:1")
        let p = try c.submitPilot(["--profile", profile])
        jobs = [p.job]
        _ = try await c.waitForPilots([p.id], agentsEach: 1)
        #expect(try Self.slurm(["scontrol", "show", "job", p.job]).out.contains("TresPerNode=gres:qpu:1"))
        let tasks = try await runTasks(c, count: 1, body: "echo \"$SLURM_JOB_QPU_RESOURCES|$SLURM_JOB_QPU_TYPES\"")
        let out = try await c.client.logs(try #require(tasks.first).id)
        #expect(out == "ibm_torino|qiskit-runtime-service\n")
        let jobLog = try String(contentsOfFile: "\(c.dir)/pilots/\(p.id)/pilot-\(p.id)-\(p.job).out", encoding: .utf8)
        #expect(jobLog.contains("QPU ibm_torino granted by Slurm through QRMI (type qrmi, resource type qiskit-runtime-service)"), "\(jobLog)")
    }

    /// A quantum task bound to the QPU Slurm granted runs through QRMI's real task runner (the
    /// qrmi package in .build/venv-qrmi, which JobScripts/test.sh makes), started by the agent on
    /// the compute node with the resource's name, the TaskProlog's acquisition token and the task's
    /// endpoint settings. No QPU answers at that endpoint: the runner fails trying to start its
    /// QRMI task there, and the task fails with the runner's error.
    @Test func quantumTaskOnTheQRMIQPURunsQRMIsTaskRunnerWithThatQPUsEnvironment() async throws {
        try Self.require()
        let venv = PilotBinary.root.path + "/.build/venv-qrmi"
        guard FileManager.default.isExecutableFile(atPath: venv + "/bin/task_runner") else {
            throw E2EError("no QRMI task runner in \(venv); make it: python3 -m venv \(venv) && \(venv)/bin/pip install qrmi qiskit qiskit-qasm3-import")
        }
        let restore = Self.useSiteConf()
        defer { restore() }
        let c = LiveCluster(tag: "qrmi-run")
        var jobs: [String] = []
        defer { if !jobs.isEmpty { _ = try? Self.slurm(["scancel"] + jobs) }; c.shutdown() }
        // The manager leases ibm_torino's slots like any QPU device.
        let devices = c.dir + "/qpu"
        try FileManager.default.createDirectory(atPath: devices, withIntermediateDirectories: true)
        try "version: 1\nname: ibm_torino\nqubits: 133\nmax_concurrent_jobs: 1\nexecutor:\n  type: embedded\n"
            .write(toFile: devices + "/ibm_torino.yaml", atomically: true, encoding: .utf8)
        try await c.startManager(extra: ["--qpu-profiles", devices])
        let profile = try writeProfile(c, "qpu", sbatch: "  gres: qpu:1")
        let p = try c.submitPilot(["--profile", profile])
        jobs = [p.job]
        _ = try await c.waitForPilots([p.id], agentsEach: 1)

        // Keeps what the runner was started with, then execs QRMI's task_runner unchanged.
        let record = c.dir + "/runner"
        try FileManager.default.createDirectory(atPath: record, withIntermediateDirectories: true)
        try """
            #!/bin/sh
            printf '%s\\n' "$@" > "\(record)/argv"
            env > "\(record)/env"
            cp "$2" "\(record)/input.json"
            exec "\(venv)/bin/task_runner" "$@"
            """.write(toFile: record + "/wrapper", atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: record + "/wrapper")
        let endpoint = "http://127.0.0.1:9/api/v1"   // the discard port: nothing answers HTTP there
        let job = #"{"primitive": "sampler", "shots": 100, "pubs": [{"circuit": "OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[2];\ncreg c[2];\nh q[0];\ncx q[0],q[1];\nmeasure q -> c;\n"}]}"#
        var spec = TaskSpec(name: "qrmi", kind: .quantum, request: ResourceRequest(cores: 1, qpu: QPUSelector(device: "ibm_torino")))
        spec.payload = job
        spec.environment = ["PILOT_QRMI_TASK_RUNNER": record + "/wrapper",
                            "ibm_torino_QRMI_IBM_QRS_ENDPOINT": endpoint,
                            "ibm_torino_QRMI_IBM_QRS_IAM_ENDPOINT": "http://127.0.0.1:9",
                            "ibm_torino_QRMI_IBM_QRS_IAM_APIKEY": "test-key",
                            "ibm_torino_QRMI_IBM_QRS_SERVICE_CRN": "crn:v1:test"]
        let r = try await c.client.submit(SubmitRequest(tasks: [spec]))
        let task = try await poll("the QRMI task to end", timeout: 120) { () async throws -> TaskInfo? in
            let t = try await c.client.task(r.first)
            return t.state == .done || t.state == .failed ? t : nil
        }
        #expect(task.state == .failed)
        #expect(task.binding?.qpu?.device == "ibm_torino", "\(String(describing: task.binding))")
        let reason = task.reason ?? ""
        #expect(reason.contains("QRMI task_runner for ibm_torino exited with status 1: "), "\(reason)")
        #expect(reason.contains(endpoint + "/jobs"), "the runner tried to start its task at the task's endpoint: \(reason)")

        let argv = try String(contentsOfFile: record + "/argv", encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(argv.count == 3 && argv[0] == "ibm_torino", "\(argv)")
        let env = try String(contentsOfFile: record + "/env", encoding: .utf8).split(separator: "\n").map(String.init)
        for line in ["SLURM_JOB_QPU_RESOURCES=ibm_torino", "QRMI_JOB_QPU_RESOURCES=ibm_torino",
                     "QRMI_JOB_QPU_TYPES=qiskit-runtime-service", "SLURM_JOB_ID=\(p.job)",
                     "ibm_torino_QRMI_JOB_ACQUISITION_TOKEN=swiftpilot-\(p.job)-ibm_torino",
                     "ibm_torino_QRMI_IBM_QRS_ENDPOINT=\(endpoint)"] {
            #expect(env.contains(line), "\(line) in the runner's environment")
        }
        let input = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: record + "/input.json"))) as? [String: Any])
        #expect(input["program_id"] as? String == "sampler")
        let pub = try #require(((input["parameters"] as? [String: Any])?["pubs"] as? [[Any]])?.first)
        #expect((pub[0] as? String)?.hasPrefix("OPENQASM 3.0;") == true && pub[2] as? Int == 100)

        // Cancelling a task whose runner is still waiting on the QPU ends the runner's process.
        // The real runner cannot be made to wait here without a QPU, so a stand-in sleeps.
        try "#!/bin/sh\necho $$ > \"\(record)/pid.tmp\" && mv \"\(record)/pid.tmp\" \"\(record)/pid\"\nexec sleep 600\n"
            .write(toFile: record + "/hang", atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: record + "/hang")
        spec.environment["PILOT_QRMI_TASK_RUNNER"] = record + "/hang"
        let hung = try await c.client.submit(SubmitRequest(tasks: [spec]))
        let pidText = try await poll("the stand-in runner to start", timeout: 120) { () -> String? in
            try? String(contentsOfFile: record + "/pid", encoding: .utf8)
        }
        let pid = try #require(pid_t(pidText.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(kill(pid, 0) == 0)
        _ = try await c.client.cancel([hung.first])
        let canceled = try await poll("the QRMI task to be canceled", timeout: 60) { () async throws -> TaskInfo? in
            let t = try await c.client.task(hung.first)
            return t.state == .canceled ? t : nil
        }
        #expect(canceled.state == .canceled)
        try await poll("the runner process to be gone", timeout: 30) { () -> Bool? in kill(pid, 0) == -1 ? true : nil }
    }
}

extension Sequence {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}
