import Foundation
import PilotProtocol

/// The cluster from `JobScripts/local-slurm.sh start`. Not reachable is a failure with a clear
/// message, never a skip: the test command starts the cluster first.
enum LocalSlurm {
    static var conf: String {
        let env = ProcessInfo.processInfo.environment
        return env["SLURM_CONF"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp/swiftpilot-slurm/slurm.conf"
    }

    /// Checks the controller answers and exports `SLURM_CONF` to the processes the tests start.
    static func require() throws {
        let c = conf
        guard FileManager.default.fileExists(atPath: c) else {
            throw E2EError("local Slurm cluster not found: \(c) does not exist. Start it with JobScripts/local-slurm.sh start")
        }
        setenv("SLURM_CONF", c, 1)
        let r = try command(["sinfo", "-h", "-o", "%D %t"])
        guard r.status == 0 else {
            throw E2EError("local Slurm cluster not reachable via \(c): sinfo failed: \(r.err). Start it with JobScripts/local-slurm.sh start")
        }
    }

    @discardableResult
    static func command(_ argv: [String]) throws -> (status: Int32, out: String, err: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = argv
        var env = ProcessInfo.processInfo.environment
        env["SLURM_CONF"] = conf
        p.environment = env
        let o = Pipe(), e = Pipe()
        p.standardOutput = o
        p.standardError = e
        try p.run()
        let out = o.fileHandleForReading.readDataToEndOfFile()
        let err = e.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
    }

    /// `JobScripts/mpi/allreduce.c`, built with mpicc into `dir` (shared by all local nodes).
    static func allreduce(into dir: String) throws -> String {
        let out = dir + "/allreduce"
        let src = PilotBinary.root.appendingPathComponent("JobScripts/mpi/allreduce.c").path
        let r = try command(["mpicc", "-O2", "-o", out, src])
        guard r.status == 0 else { throw E2EError("mpicc failed (is openmpi installed? JobScripts/setup.sh): \(r.err)") }
        return out
    }
}

extension LiveCluster {
    /// `pilot pilots submit` through the CLI; returns the pilot id and its Slurm job id.
    func submitPilot(_ args: [String]) throws -> (id: String, job: String) {
        let r = try PilotBinary.run(["pilots", "submit", "--server-dir", dir] + args)
        guard r.status == 0 else { throw E2EError("pilots submit \(args) failed: \(r.err)") }
        // "pilot p1 submitted as Slurm job 42 on cluster swiftpilot"
        let words = r.out.split(whereSeparator: \.isWhitespace).map(String.init)
        guard words.count >= 7, words[0] == "pilot", Int(words[6]) != nil else { throw E2EError("unexpected output: \(r.out)") }
        return (words[1], words[6])
    }

    /// Readiness: every listed pilot has `agentsEach` registered agents.
    func waitForPilots(_ ids: [String], agentsEach: Int, timeout: Double = 60) async throws -> [PilotInfo] {
        let deadline = Date().addingTimeInterval(timeout)
        var last: [PilotInfo] = []
        while Date() < deadline {
            last = try await client.pilots().filter { ids.contains($0.id) }
            if last.count == ids.count, last.allSatisfy({ $0.agents == agentsEach && $0.state == .running }) { return last }
            if let bad = last.first(where: { $0.state.isFinal }) {
                throw E2EError("pilot \(bad.id) ended before its agents registered: \(bad.state) \(bad.reason ?? "")\n\(log("manager"))")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw E2EError("pilots \(ids) not ready after \(timeout) s: \(last.map { "\($0.id) \($0.state) agents=\($0.agents) \($0.reason ?? "")" })")
    }

    /// Polls until `body` holds or the deadline passes.
    func poll(_ what: String, timeout: Double = 60, _ body: () async throws -> Bool) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try await body() { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw E2EError("timed out after \(timeout) s waiting for \(what)")
    }

    /// Leaves no Slurm job of this manager behind, whatever the test did.
    func cancelPilots() {
        guard let r = try? PilotBinary.run(["pilots", "list", "--json", "--server-dir", dir]), r.status == 0,
              let list = try? APICoding.decoder().decode(PilotList.self, from: Data(r.out.utf8)) else { return }
        let jobs = list.pilots.filter { !$0.state.isFinal }.compactMap(\.slurmJobID).map(String.init)
        if !jobs.isEmpty { _ = try? LocalSlurm.command(["scancel"] + jobs) }
    }

    func allTasks(_ n: Int) async throws -> [TaskInfo] {
        var out: [TaskInfo] = []
        for id in Int64(1)...Int64(n) { out.append(try await client.task(id)) }
        return out
    }
}
