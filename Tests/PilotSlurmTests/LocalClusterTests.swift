import Foundation
import Testing
@testable import PilotSlurm

/// End-to-end against the cluster from `JobScripts/local-slurm.sh start`.
/// Not reachable means failure, not a skip: the test command starts it first.
@Suite(.serialized) struct LocalClusterTests {
    struct ClusterUnavailable: Error, CustomStringConvertible {
        var description: String
    }

    let client: LibSlurmClient
    let jobsDir: URL

    init() throws {
        let env = ProcessInfo.processInfo.environment
        let conf = env["SLURM_CONF"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp/swiftpilot-slurm/slurm.conf"
        do {
            client = try LibSlurmClient(configPath: conf)
            _ = try client.version()
        } catch {
            throw ClusterUnavailable(description:
                "local Slurm cluster not reachable via \(conf): \(error). Start it with JobScripts/local-slurm.sh start")
        }
        jobsDir = URL(fileURLWithPath: conf).deletingLastPathComponent().appendingPathComponent("jobs")
    }

    func request(_ name: String, script: String, nodes: Int = 1, ntasksPerNode: Int? = nil) -> BatchJobRequest {
        BatchJobRequest(script: script, name: name, partition: "debug", nodes: nodes, ntasksPerNode: ntasksPerNode,
                        timeLimitMinutes: 5, workingDirectory: jobsDir.path,
                        standardOutput: jobsDir.appendingPathComponent("\(name)-%j.out").path)
    }

    /// Polls `body` until it returns non-nil or `seconds` pass.
    func poll<T>(_ what: String, seconds: Double, every interval: Double = 0.02,
                 _ body: () throws -> T?) throws -> T {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            if let value = try body() { return value }
            guard Date() < deadline else { throw ClusterUnavailable(description: "timed out after \(seconds) s waiting for \(what)") }
            Thread.sleep(forTimeInterval: interval)
        }
    }

    func waitFor(_ id: SlurmJobID, _ seconds: Double = 30, where condition: @escaping (SlurmJobInfo) -> Bool) throws -> SlurmJobInfo {
        try poll("job \(id)", seconds: seconds) { try client.job(id).flatMap { condition($0) ? $0 : nil } }
    }

    /// nil until the file has a complete line: a shell redirect creates it empty first.
    func nonEmptyContents(_ path: String) -> String? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8), text.hasSuffix("\n") else { return nil }
        return text
    }

    func outputFile(_ name: String, _ id: SlurmJobID) -> URL { jobsDir.appendingPathComponent("\(name)-\(id).out") }

    @Test func controllerVersionMatchesLibrary() throws {
        let version = try client.version()
        #expect(version.split(separator: ".").prefix(2) == LibSlurmClient.libraryVersion.split(separator: ".").prefix(2))
    }

    @Test func submitRunCancelTwoNodeJob() throws {
        let name = "e2e-cancel-\(UUID().uuidString.prefix(8))"
        let id = try client.submit(request(name, script: "#!/bin/bash\nsleep 300\n", nodes: 2))
        let running = try waitFor(id) { $0.state == .running }
        #expect(running.name == name)
        #expect(running.nodes.count == 2)
        #expect(running.nodeCount == 2)
        #expect(Set(running.nodes).isSubset(of: ["n1", "n2", "n3", "n4"]))
        #expect(running.startTime != nil)
        #expect(running.timeLimitMinutes == 5)

        try client.cancel(id, signal: nil)
        let cancelled = try waitFor(id) { $0.state == .cancelled }
        #expect(cancelled.state.isFinal)
        try client.cancel(id, signal: nil)  // already done: not an error
    }

    @Test func signalReachesJobStepsNotOnlyTheShell() throws {
        let name = "e2e-signal-\(UUID().uuidString.prefix(8))"
        let ready = jobsDir.appendingPathComponent("\(name).ready").path
        let got = jobsDir.appendingPathComponent("\(name).got").path
        let script = """
            #!/bin/bash
            srun -n1 bash -c 'trap "echo usr1 > \(got); exit 0" USR1; touch \(ready); while :; do sleep 0.05; done'
            """
        let id = try client.submit(request(name, script: script))
        _ = try poll("step ready", seconds: 30) { FileManager.default.fileExists(atPath: ready) ? true : nil }
        try client.cancel(id, signal: SIGUSR1)
        let text = try poll("USR1 marker", seconds: 15) { nonEmptyContents(got) }
        #expect(text == "usr1\n")
        let done = try waitFor(id) { $0.state.isFinal }
        #expect(done.state == .completed)
        #expect(done.exitCode == SlurmExitCode(status: 0))
    }

    @Test func drainWarningBeforeTimeLimitReachesSteps() throws {
        // What a pilot relies on: USR1 `drain` seconds before the limit, delivered to
        // the srun step (the agents). 1-minute limit, 50 s warning: due ~10 s after start.
        let name = "e2e-warn-\(UUID().uuidString.prefix(8))"
        let got = jobsDir.appendingPathComponent("\(name).got").path
        var job = request(name, script: """
            #!/bin/bash
            srun -n1 bash -c 'trap "date +%s > \(got); exit 0" USR1; while :; do sleep 0.05; done'
            """)
        job.timeLimitMinutes = 1
        job.signalBeforeEnd = SignalBeforeEnd(signal: SIGUSR1, seconds: 50)
        let id = try client.submit(job)
        let text = try poll("USR1 warning", seconds: 55, every: 0.1) { nonEmptyContents(got) }
        let done = try waitFor(id) { $0.state.isFinal }
        #expect(done.state == .completed, "the step should have exited on USR1 before the limit")
        let receivedAt = try #require(Double(text.trimmingCharacters(in: .whitespacesAndNewlines)))
        let start = try #require(done.startTime).timeIntervalSince1970
        #expect(receivedAt - start < 60, "USR1 must arrive before the time limit")
    }

    @Test func jobsReturnsKnownJobsInRequestOrder() throws {
        let a = try client.submit(request("e2e-jobs-a", script: "#!/bin/bash\ntrue\n"))
        let b = try client.submit(request("e2e-jobs-b", script: "#!/bin/bash\nexit 3\n"))
        let infos = try client.jobs([b, SlurmJobID(999_999), a])
        #expect(infos.map(\.id) == [b, a])
        #expect(try client.job(SlurmJobID(999_999)) == nil)
        let failed = try waitFor(b) { $0.state.isFinal }
        #expect(failed.state == .failed)
        #expect(failed.exitCode == SlurmExitCode(status: 3))
    }

    @Test func impossibleRequestFailsAtSubmitWithSlurmErrno() throws {
        #expect {
            try client.submit(request("e2e-too-big", script: "#!/bin/bash\ntrue\n", nodes: 10))
        } throws: { error in
            guard let e = error as? SlurmError else { return false }
            return e.code == .submitFailed && e.slurmErrno != nil && e.slurmErrorText?.isEmpty == false
        }
    }

    @Test func renderedPilotScriptStartsOneAgentPerNode() throws {
        let pilotID = "e2e\(UUID().uuidString.prefix(6).lowercased())"
        let fakePilot = jobsDir.appendingPathComponent("fake-pilot-\(pilotID).sh")
        try """
            #!/bin/bash
            echo "agent node=$SLURMD_NODENAME gpus=${SLURM_GPUS_ON_NODE:-none} end=${PILOT_WALLTIME_END:-unset} limit=$PILOT_WALLTIME_SECONDS qpu=$PILOT_QPU_DEVICES args=$*"
            """.write(to: fakePilot, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: fakePilot.path)

        let profile = try ClusterProfile.load(path: TestSupport.profilePath("local"))
        let context = JobScriptContext(pilotID: pilotID, managerHost: "127.0.0.1", managerPort: 7450,
                                       tokenFile: "/tmp/token-\(pilotID)", pilotBinary: fakePilot.path,
                                       logDirectory: jobsDir.path)
        let script = try JobScriptRenderer(templatePath: TestSupport.templatePath).render(profile: profile, context: context)
        let job = try BatchJobRequest.pilot(profile: profile, context: context, script: script,
                                            environment: ProcessInfo.processInfo.environment)
        let submittedAt = Date()
        let id = try client.submit(job)
        let done = try waitFor(id, 60) { $0.state.isFinal }
        let output = try String(contentsOfFile: "\(jobsDir.path)/pilot-\(pilotID)-\(id).out", encoding: .utf8)
        #expect(done.state == .completed, "\(output)")
        let lines = output.split(separator: "\n").filter { $0.hasPrefix("agent ") }
        #expect(lines.count == 2, "\(output)")
        #expect(Set(lines.compactMap { $0.split(separator: " ").first { $0.hasPrefix("node=") } }).count == 2)
        for line in lines {
            #expect(line.contains("gpus=2"))
            #expect(line.contains("qpu=ideal-sim,superconducting-27,trapped-ion-11"))
            #expect(line.contains("args=agent --pilot-id \(pilotID) --manager 127.0.0.1:7450 --token-file /tmp/token-\(pilotID)"))
            // The agent learns its end from Slurm (≥ 23.02 exports it; else it asks libslurm itself) or,
            // failing that, from the limit the script passes.
            #expect(line.contains(" limit=1800 "), "\(line)")
            if let end = line.split(separator: " ").first(where: { $0.hasPrefix("end=") }).flatMap({ Double($0.dropFirst(4)) }) {
                let expected = submittedAt.timeIntervalSince1970 + 1800
                #expect(abs(end - expected) < 120, "walltime end \(end) vs \(expected)")
            } else {
                #expect(line.contains(" end=unset "), "\(line)")
            }
        }
    }

    @Test func mpiAllreduceAcrossTwoNodes() throws {
        let binary = jobsDir.appendingPathComponent("allreduce-\(UUID().uuidString.prefix(8))")
        let compile = Process()
        compile.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        compile.arguments = ["mpicc", "-O2", "-o", binary.path,
                             TestSupport.repoRoot.appendingPathComponent("JobScripts/mpi/allreduce.c").path]
        try compile.run()
        compile.waitUntilExit()
        try #require(compile.terminationStatus == 0, "mpicc failed (is openmpi-bin installed?)")

        let name = "e2e-mpi-\(UUID().uuidString.prefix(8))"
        // Debian's Open MPI only speaks PMIx; pmi2 would leave each rank a singleton.
        let id = try client.submit(request(name, script: "#!/bin/bash\nsrun --mpi=pmix \(binary.path)\n",
                                           nodes: 2, ntasksPerNode: 2))
        let done = try waitFor(id, 90) { $0.state.isFinal }
        let output = try String(contentsOf: outputFile(name, id), encoding: .utf8)
        #expect(done.state == .completed, "\(output)")
        #expect(done.exitCode == SlurmExitCode(status: 0))

        var ranks: [Int: [String: String]] = [:]
        for line in output.split(separator: "\n") where line.hasPrefix("rank=") {
            let fields = Dictionary(line.split(separator: " ").map { pair -> (String, String) in
                let kv = pair.split(separator: "=", maxSplits: 1)
                return (String(kv[0]), kv.count > 1 ? String(kv[1]) : "")
            }, uniquingKeysWith: { a, _ in a })
            if let rank = fields["rank"].flatMap(Int.init) { ranks[rank] = fields }
        }
        #expect(Set(ranks.keys) == [0, 1, 2, 3], "\(output)")
        for fields in ranks.values {
            #expect(fields["size"] == "4")
            #expect(fields["sum"] == "6")
            #expect(fields["ok"] == "1")
        }
        #expect(Set(ranks.values.compactMap { $0["node"] }).count == 2, "ranks should span two nodes: \(output)")
    }

    @Test func submitToRunningLatency() throws {
        var latencies: [Double] = []
        for i in 0..<10 {
            let started = Date()
            let id = try client.submit(request("e2e-latency-\(i)", script: "#!/bin/bash\nsleep 60\n"))
            let running = try waitFor(id) { $0.state == .running }
            latencies.append(Date().timeIntervalSince(started) * 1000)
            #expect(running.nodes.count == 1)
            try client.cancel(id, signal: nil)
        }
        let sorted = latencies.sorted()
        let median = (sorted[4] + sorted[5]) / 2
        print(String(format: "submit->RUNNING via LibSlurmClient (10 jobs): min %.0f ms, median %.0f ms, max %.0f ms; all: %@",
                     sorted[0], median, sorted[9], latencies.map { String(format: "%.0f", $0) }.joined(separator: ",")))
    }
}
