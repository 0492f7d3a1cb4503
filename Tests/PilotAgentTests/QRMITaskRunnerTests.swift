import Foundation
import PilotLaunch
import PilotQuantum
import Synchronization
import Testing
@testable import PilotAgent

/// QRMI's real task runner (the `qrmi` package from PyPI, in `.build/venv-qrmi`, which
/// JobScripts/test.sh makes) started by the agent's `ProcessRunner` for a PUB job: the payload is
/// one QRMI's and Qiskit's own classes accept, the runner gets the resource name and the task's
/// environment, and with no QPU here it fails reaching the endpoint that environment names, which
/// becomes the task's failure reason. Cancelling or timing out the task ends the runner's process.
@Suite(.serialized) struct QRMITaskRunnerTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    static func venv() throws -> String {
        let dir = ProcessInfo.processInfo.environment["SWIFTPILOT_QRMI_VENV"] ?? "\(root)/.build/venv-qrmi"
        guard FileManager.default.isExecutableFile(atPath: "\(dir)/bin/task_runner") else {
            throw RunnerTestError("no QRMI task runner at \(dir)/bin/task_runner; make the venv: python3 -m venv \(dir) && \(dir)/bin/pip install qrmi qiskit qiskit-qasm3-import")
        }
        return dir
    }

    struct RunnerTestError: Error, CustomStringConvertible {
        var description: String
        init(_ d: String) { description = d }
    }

    static func scratch() throws -> String {
        let dir = NSTemporaryDirectory() + "qrmi-runner-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// A TCP port nothing listens on: bound, then closed.
    static func closedPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        guard ok else { throw RunnerTestError("cannot bind a socket") }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    /// Runs `argv` to its end; returns stdout, failing on a non-zero exit with stderr.
    static func output(_ argv: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: argv[0])
        p.arguments = Array(argv.dropFirst())
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw RunnerTestError("\(argv.joined(separator: " ")) failed: \(String(decoding: e, as: UTF8.self))")
        }
        return String(decoding: o, as: UTF8.self)
    }

    /// An executor whose runner is started by `runner` as the agent starts it.
    static func executor(_ runner: ProcessRunner, resource: String, env: [String: String], dir: String) -> QRMIExecutor {
        QRMIExecutor(resource: resource, environment: env, workDirectory: dir) { run async throws(QuantumError) -> QRMIExecutor.Exit in
            let spec = SpawnSpec(executable: run.executable, arguments: run.arguments, environment: run.environment,
                                 stdoutPath: run.stdoutPath, stderrPath: run.stderrPath,
                                 timeLimit: run.timeLimit.map { .milliseconds(Int64($0 * 1000)) }, killGrace: .seconds(2))
            do {
                let e = try await runner.run(spec)
                return QRMIExecutor.Exit(exitCode: e.exitCode, signal: e.signal, timedOut: e.timedOut)
            } catch {
                throw QuantumError(.runnerFailed, "cannot start \(run.executable)", cause: error)
            }
        }
    }

    /// Stands between the executor and the real runner: keeps its arguments, environment and input
    /// file where the test can read them, then execs QRMI's task_runner unchanged.
    static func recordingWrapper(in dir: String, venv: String) throws -> String {
        let path = "\(dir)/record_then_run"
        try """
            #!/bin/sh
            printf '%s\\n' "$@" > "\(dir)/argv"
            env > "\(dir)/env"
            cp "$2" "\(dir)/input.json"
            exec "\(venv)/bin/task_runner" "$@"
            """.write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        return path
    }

    static let job = """
        {"primitive": "estimator", "pubs": [
          {"circuit": "OPENQASM 3.0;\\ninclude \\"stdgates.inc\\";\\ninput float[64] theta_2;\\ninput float[64] theta_10;\\nqubit[2] q;\\nry(theta_2) q[0];\\nry(theta_10) q[1];\\ncx q[0], q[1];\\n",
           "parameter_values": [[0.3, 1.9], [2.5, 0.1]], "observables": [["ZZ"], [{"XI": 0.5, "IZ": -1}]], "precision": 0.02},
          {"circuit": "OPENQASM 2.0;\\ninclude \\"qelib1.inc\\";\\nqreg q[2];\\nh q[0];\\nrzz(0.7) q[0],q[1];\\nsxdg q[1];\\n", "observables": "XY"}]}
        """

    @Test func realTaskRunnerGetsAPayloadQRMIAndQiskitAcceptAndTheQPUsEnvironment() async throws {
        let venv = try Self.venv()
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let port = try Self.closedPort()
        let resource = "test_heron"
        // The task's environment as the agent narrows it to the leased QPU.
        let env = [
            "PATH": "/usr/bin:/bin", "HOME": dir,
            "QRMI_JOB_QPU_RESOURCES": resource, "QRMI_JOB_QPU_TYPES": "qiskit-runtime-service",
            "SLURM_JOB_QPU_RESOURCES": resource, "SLURM_JOB_QPU_TYPES": "qiskit-runtime-service",
            "\(resource)_QRMI_IBM_QRS_ENDPOINT": "http://127.0.0.1:\(port)/api/v1",
            "\(resource)_QRMI_IBM_QRS_IAM_ENDPOINT": "http://127.0.0.1:\(port)",
            "\(resource)_QRMI_IBM_QRS_IAM_APIKEY": "apikey-for-test",
            "\(resource)_QRMI_IBM_QRS_SERVICE_CRN": "crn:v1:test",
            "\(resource)_QRMI_JOB_ACQUISITION_TOKEN": "acq-token-7f3a",
            QRMIExecutor.runnerVariable: try Self.recordingWrapper(in: dir, venv: venv),
        ]
        let outcome = try await Self.executor(ProcessRunner(), resource: resource, env: env, dir: dir).run(pubJob: Self.job)

        // Invoked as `task_runner RESOURCE input output`, with the QPU's settings and token.
        let argv = try String(contentsOfFile: "\(dir)/argv", encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(argv.count == 3 && argv[0] == resource && argv[1].hasSuffix("/input.json") && argv[2].hasSuffix("/output.json"))
        let seen = Dictionary(try String(contentsOfFile: "\(dir)/env", encoding: .utf8).split(separator: "\n").compactMap { line in
            line.firstIndex(of: "=").map { (String(line[..<$0]), String(line[line.index(after: $0)...])) }
        }, uniquingKeysWith: { a, _ in a })
        for (k, v) in env where k != QRMIExecutor.runnerVariable { #expect(seen[k] == v, "\(k)") }

        // The real runner found its resource's type and endpoint in that environment, built its
        // QiskitPrimitive payload and tried to start the task there: nothing listens, so it failed.
        guard case .failed(let reason, let exit) = outcome else { Issue.record("expected the runner to fail, got \(outcome)"); return }
        #expect(exit.exitCode == 1)
        #expect(reason.hasPrefix("QRMI task_runner for \(resource) exited with status 1: "), "\(reason)")
        #expect(reason.contains("http://127.0.0.1:\(port)/api/v1/jobs"), "\(reason)")

        // QRMI's Payload and Qiskit's PUB classes accept the payload as written.
        let checked = try Self.output(["\(venv)/bin/python", "\(Self.root)/Tests/PilotAgentTests/Fixtures/check_qrmi_payload.py",
                                       "\(dir)/input.json"])
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(checked.utf8)) as? [String: Any])
        #expect(doc["program_id"] as? String == "estimator" && doc["version"] as? Int == 2)
        let pubs = try #require(doc["pubs"] as? [[String: Any]])
        #expect(pubs.count == 2)
        #expect(pubs[0]["shape"] as? [Int] == [2, 2], "bindings (2,) broadcast against observables (2, 1)")
        #expect(pubs[0]["precision"] as? Double == 0.02)
        #expect(pubs[0]["parameters"] as? [String] == ["theta_10", "theta_2"])
        #expect(pubs[1]["shape"] as? [Int] == [] && pubs[1]["parameters"] as? [String] == [])
        // Bound as Qiskit binds them, the circuits are the job's: same probabilities as ours.
        let job = try PUBJob.parse(Self.job)
        for (i, pub) in job.pubs.enumerated() {
            let ours = try StateVectorSimulator(threads: 1).probabilities(try pub.circuit.bind(pub.values(at: 0)).unitaryPart)
            let theirs = try #require(pubs[i]["probabilities"] as? [Double])
            #expect(ours.count == theirs.count)
            for (a, b) in zip(ours, theirs) { #expect(abs(a - b) < 1e-9, "pub \(i)") }
        }
    }

    /// A runner that hangs (a stand-in that sleeps, since the real one would need a QPU that never
    /// answers): cancelling the task, or its time limit, ends the process.
    @Test func cancellingTheTaskOrItsTimeLimitEndsTheRunnerProcess() async throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let hang = "\(dir)/hang"
        try "#!/bin/sh\necho $$ > \"\(dir)/pid.tmp\" && mv \"\(dir)/pid.tmp\" \"\(dir)/pid\"\nexec sleep 600\n"
            .write(toFile: hang, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: hang)
        let env = ["PATH": "/usr/bin:/bin", QRMIExecutor.runnerVariable: hang]
        let runner = ProcessRunner()
        let executor = Self.executor(runner, resource: "q", env: env, dir: dir)

        let task = Task { try await executor.run(pubJob: Self.job) }
        let pid = try await Self.poll("the runner's pid file") { try? String(contentsOfFile: "\(dir)/pid", encoding: .utf8) }
        let alive = kill(pid_t(pid.trimmingCharacters(in: .whitespacesAndNewlines))!, 0) == 0
        #expect(alive)
        task.cancel()
        guard case .failed(let reason, let exit) = try await task.value else { Issue.record("expected a failure"); return }
        #expect(exit.signal == SIGTERM && reason == "QRMI task_runner for q was killed by signal \(SIGTERM)")
        #expect(kill(pid_t(pid.trimmingCharacters(in: .whitespacesAndNewlines))!, 0) == -1, "the runner is gone")

        try FileManager.default.removeItem(atPath: "\(dir)/pid")
        guard case .failed(let why, let timedOut) = try await executor.run(pubJob: Self.job, timeLimit: 0.5) else {
            Issue.record("expected a failure"); return
        }
        #expect(timedOut.timedOut && why == "QRMI task_runner for q was stopped at the task's time limit")
    }

    static func poll(_ what: String, timeout: Double = 30, _ probe: () -> String?) async throws -> String {
        let end = Date().addingTimeInterval(timeout)
        while Date() < end {
            if let v = probe() { return v }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw RunnerTestError("timed out waiting for \(what)")
    }
}
