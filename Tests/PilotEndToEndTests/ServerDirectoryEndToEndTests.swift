import Foundation
import PilotCore
import PilotProtocol
import Testing

/// The server directory's identity survives a full disk, and a damaged store is refused at start.
@Suite(.serialized) struct ServerDirectoryEndToEndTests {
    static func stop(_ c: LiveCluster) {
        guard let m = c.manager else { return }
        m.terminate()
        m.waitUntilExit()
    }

    /// Runs `pilot manager start` until it either exits or is ready; returns nil when it is ready.
    /// Its log goes to a directory of its own: the server directory's disk may be full.
    static func startOrRefusal(_ c: LiveCluster, log: String) async throws -> (status: Int32, log: String)? {
        let logs = PilotBinary.tempDir("logs")
        let p = try PilotBinary.start(["manager", "start", "--server-dir", c.dir, "--port", "0"], log: logs + "/\(log).log")
        c.manager = p
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if !p.isRunning {
                p.waitUntilExit()
                return (p.terminationStatus, (try? String(contentsOfFile: logs + "/\(log).log", encoding: .utf8)) ?? "")
            }
            if let a = try? AccessFile.read(from: c.dir), a.pid == p.processIdentifier, (try? await PilotClient(access: a).health()) == true {
                c.client = PilotClient(access: a)
                return nil
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw E2EError("manager neither ready nor refused")
    }

    static func sh(_ command: String) -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", command]
        try? p.run()
        p.waitUntilExit()
        return p.terminationStatus
    }

    @Test func aRestartOnAFullDiskKeepsTheTokenOrRefusesClearly() async throws {
        let mount = PilotBinary.tempDir("tmpfs")
        guard Self.sh("mount -t tmpfs -o size=6m tmpfs \(mount)") == 0 else {
            Issue.record("cannot mount a tmpfs (needs root)")
            return
        }
        defer { _ = Self.sh("umount -l \(mount); rmdir \(mount)") }
        let c = LiveCluster(dir: mount + "/server")
        try FileManager.default.createDirectory(atPath: c.dir, withIntermediateDirectories: true)
        try await c.startManager()
        let token = try AccessFile.read(from: c.dir).token
        Self.stop(c)

        // Fill the file system to the last block.
        _ = Self.sh("dd if=/dev/zero of=\(mount)/fill bs=64k 2>/dev/null; dd if=/dev/zero of=\(mount)/fill2 bs=512 2>/dev/null")
        var refusals = 0
        for attempt in 0..<3 {
            if let refused = try await Self.startOrRefusal(c, log: "full\(attempt)") {
                refusals += 1
                #expect(refused.status != 0)
                #expect(refused.log.contains("No space left") || refused.log.contains("disk is full") || refused.log.contains("cannot write"),
                        "a refusal must say why: \(refused.log)")
            } else {
                Self.stop(c)
            }
            // Whatever happened, the access file is whole and names the same token.
            let a = try AccessFile.read(from: c.dir)
            #expect(a.token == token, "the token changed on a full disk")
        }

        _ = Self.sh("rm -f \(mount)/fill \(mount)/fill2")
        let again = try await Self.startOrRefusal(c, log: "after")
        #expect(again == nil, "with space again the manager starts: \(again?.log ?? "")")
        #expect(try AccessFile.read(from: c.dir).token == token)
        let st = try FileManager.default.attributesOfItem(atPath: c.dir + "/access.json")
        #expect((st[.posixPermissions] as? Int) == 0o600)
        Self.stop(c)
        _ = refusals
    }

    @Test func aStoreWithAMissingTableIsRefusedAtStart() async throws {
        let c = LiveCluster(tag: "schema")
        defer { c.shutdown() }
        try await c.startManager()
        Self.stop(c)
        #expect(Self.sh("sqlite3 \(c.dir)/pilot.sqlite 'DROP TABLE task_event'") == 0)
        let refused = try await Self.startOrRefusal(c, log: "schema-\(UUID().uuidString.prefix(6))")
        let r = try #require(refused, "a manager started on a store without its task_event table")
        #expect(r.status != 0)
        #expect(r.log.contains("table 'task_event' is missing"), "\(r.log)")
    }

    @Test func nulBytesAreRefusedAtSubmitNamingTheField() async throws {
        let c = LiveCluster(tag: "nul")
        defer { c.shutdown() }
        try await c.startManager()
        let cases: [(String, String)] = [
            (#"{"tasks":[{"command":["ec\u0000ho","x"]}]}"#, "tasks[0].command[0]"),
            (#"{"tasks":[{"command":["echo","a\u0000b"]}]}"#, "tasks[0].command[1]"),
            (#"{"tasks":[{"command":["echo"],"env":{"K":"v\u0000w"}}]}"#, "tasks[0].env.K"),
            (#"{"tasks":[{"command":["echo"],"cwd":"/tmp\u0000x"}]}"#, "tasks[0].cwd"),
        ]
        for (body, field) in cases {
            let (data, status) = try await c.client.raw("POST", "/v1/tasks", body: Data(body.utf8))
            let text = String(decoding: data, as: UTF8.self)
            #expect(status == 400, "\(body): \(text)")
            #expect(text.contains("\"field\":\"\(field)\""), "\(body): \(text)")
            #expect(text.contains("NUL byte"), "\(text)")
        }
        #expect(try await c.client.summary().counts.values.reduce(0, +) == 0)
    }
}
