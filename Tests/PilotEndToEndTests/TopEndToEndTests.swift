import Foundation
import PilotCore
import PilotProtocol
import Testing

/// `pilot top` in a real terminal: tmux runs it in a detached session of fixed size, the test reads
/// the screen with `capture-pane`, finds the agent and a task count that moves while a workload
/// runs, presses `q` and sees it exit 0.
@Suite(.serialized) struct TopEndToEndTests {
    static let tmux = "/usr/bin/tmux"

    /// tmux on a socket of the test's own, so it never touches a user's sessions.
    ///
    /// Spawned with `posix_spawn` and reaped with `waitpid` rather than through `Process`: the tmux
    /// server that `new-session` forks inherits the descriptors `Process` watches to learn that its
    /// child ended, so `Process` would wait for the server, not the client. Output goes through a file.
    func tmux(_ socket: String, _ args: [String]) throws -> (Int32, String) {
        let out = socket + ".out"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = [Self.tmux, "-S", socket] + args
        var cargs = argv.map { strdup($0) } + [nil]
        defer { for p in cargs { free(p) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, Self.tmux, &actions, nil, &cargs, environ)
        guard rc == 0 else { throw E2EError("posix_spawn tmux: errno \(rc)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let code = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return (code, (try? String(contentsOfFile: out, encoding: .utf8)) ?? "")
    }


    /// The number after "done " on the TASKS line.
    func doneCount(_ screen: String) -> Int? {
        guard let line = screen.split(separator: "\n").first(where: { $0.hasPrefix("TASKS") }),
              let r = line.range(of: "done ") else { return nil }
        return Int(line[r.upperBound...].prefix { $0.isNumber })
    }

    @Test func topShowsAgentsAndMovingCountsAndQuitsOnQ() async throws {
        guard FileManager.default.isExecutableFile(atPath: Self.tmux) else {
            Issue.record("tmux is not installed: run JobScripts/setup.sh (Debian package tmux)")
            return
        }
        let c = LiveCluster(tag: "top")
        defer { c.shutdown() }
        try await c.startManager()
        _ = try c.startAgent(["--topology", "synthetic:package:1 numa:2 core:2 pu:1"], name: "agent")
        try await c.waitForAgents(1)
        let socket = c.dir + "/tmux.sock"
        let exitFile = c.dir + "/top.exit"
        let cmd = "'\(PilotBinary.path)' top --server-dir '\(c.dir)' --interval 0.3; echo $? > '\(exitFile)'"
        let (rc, out) = try tmux(socket, ["new-session", "-d", "-s", "top", "-x", "120", "-y", "40", cmd])
        try #require(rc == 0, "tmux new-session: \(out)")
        defer { _ = try? tmux(socket, ["kill-server"]) }

        let screen = { () throws -> String in try self.tmux(socket, ["capture-pane", "-p", "-t", "top"]).1 }
        let host = try await c.client.agents()[0].hostname
        _ = try await poll("top to show the agent") { () -> Bool? in
            let s = try screen()
            return s.contains("AGENTS") && s.contains(host) && s.contains("numa0") && s.contains("numa1") ? true : nil
        }
        #expect(doneCount(try screen()) == 0)

        // Twenty tasks end at once; twenty more wait for a gate the test opens after top showed the
        // first twenty, so the count is seen moving whatever the machine's speed.
        let gate = c.dir + "/gate"
        _ = try await c.client.submit(SubmitRequest(array: ArraySubmission(template: TaskSpec(command: ["sh", "-c", "sleep 0.1"]), range: "1-20")))
        _ = try await c.client.submit(SubmitRequest(array: ArraySubmission(
            template: TaskSpec(command: ["sh", "-c", "while [ ! -e '\(gate)' ]; do sleep 0.05; done"]), range: "1-20")))
        _ = try await poll("top to show 20 done") { () -> Bool? in doneCount(try screen()) == 20 ? true : nil }
        FileManager.default.createFile(atPath: gate, contents: nil)
        _ = try await c.waitAll()
        let final = try await poll("top to show all 40 done") { () -> String? in
            let s = try screen()
            return doneCount(s) == 40 ? s : nil
        }
        #expect(final.contains("RECENT TASKS") && final.contains("THROUGHPUT"))

        _ = try tmux(socket, ["send-keys", "-t", "top", "q"])
        let status = try await poll("top to exit after q") { () -> String? in
            (try? String(contentsOfFile: exitFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        #expect(status == "0")
    }
}
