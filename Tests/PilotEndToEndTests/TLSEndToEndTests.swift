import Foundation
import PilotCore
import PilotProtocol
import Testing

/// TLS on both channels with the real `pilot` binary: the manager makes a self-signed certificate at
/// its first start and keeps it; agents and clients pin it through `tls_fingerprint` in `access.json`;
/// a wrong pin is refused before the token is sent; plain text off loopback needs `--insecure`; a
/// loopback capture (tcpdump) of a whole run holds no token; `pilot manager rotate-token` keeps
/// running agents connected and reconnecting agents registered.
@Suite(.serialized) struct TLSEndToEndTests {
    static let topology = ["--topology", "synthetic:package:1 numa:1 core:2 pu:1"]

    static func mode(_ path: String) -> UInt16 {
        var st = stat()
        return stat(path, &st) == 0 ? UInt16(st.st_mode & 0o777) : 0
    }

    static func registrations(_ c: LiveCluster, _ agent: String) -> Int {
        c.log(agent).components(separatedBy: "registered as agent").count - 1
    }

    @Test func agentsAndClientsPinTheCertificateWhichSurvivesARestart() async throws {
        let c = LiveCluster(tag: "tls")
        defer { c.shutdown() }
        try await c.startManager()
        let a = try AccessFile.read(from: c.dir)
        let fingerprint = try #require(a.tlsFingerprint, "access.json has no tls_fingerprint")
        #expect(TLSPin(fingerprint) != nil && fingerprint.hasPrefix("sha256:") && fingerprint.count == 7 + 64)
        // The fingerprint is the certificate's: the SHA-256 of its DER form, as anyone can recompute.
        let pem = try String(contentsOfFile: c.dir + "/tls.crt", encoding: .utf8)
        let der = try #require(Data(base64Encoded: pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()))
        #expect(TLSPin(der: Array(der)).description == fingerprint)
        #expect(Self.mode(c.dir + "/tls.key") == 0o600 && Self.mode(c.dir + "/tls.crt") == 0o600)
        #expect(c.client.baseURL.scheme == "https")
        // The raw access file names it in snake case.
        let raw = try String(contentsOfFile: AccessFile.path(in: c.dir), encoding: .utf8)
        #expect(raw.contains("\"tls_fingerprint\":\"\(fingerprint)\""), "\(raw)")

        _ = try c.startAgent(Self.topology, name: "agent")
        try await c.waitForAgents(1)
        let r = try await c.client.submit(SubmitRequest(array: ArraySubmission(template: TaskSpec(command: ["/bin/sh", "-c", "echo tls-$PILOT_ARRAY_INDEX"]), range: "1-20")))
        let w = try await c.waitAll()
        #expect(w.summary.count(.done) == 20)
        #expect(try await c.client.logs(r.first) == "tls-1\n")
        // The CLI too.
        let status = try PilotBinary.run(["manager", "status", "--server-dir", c.dir])
        #expect(status.status == 0 && status.out.contains("https://"), "\(status.out) \(status.err)")

        // A restart presents the same certificate: the agent, which pinned it, comes back by itself.
        let before = Self.registrations(c, "agent")
        c.manager!.terminate()
        c.manager!.waitUntilExit()
        try await c.startManager()
        #expect(try AccessFile.read(from: c.dir).tlsFingerprint == fingerprint)
        try await c.waitForAgents(1)
        try await poll("the agent's second registration") { Self.registrations(c, "agent") > before ? true : nil }
        _ = try await c.client.submit(SubmitRequest(tasks: [TaskSpec(command: ["/bin/true"])]))
        #expect(try await c.waitAll().summary.count(.done) == 21)
    }

    @Test func aWrongFingerprintIsRefusedBeforeTheTokenIsSent() async throws {
        let c = LiveCluster(tag: "tls-pin")
        defer { c.shutdown() }
        try await c.startManager()
        let a = try AccessFile.read(from: c.dir)
        let wrong = "sha256:" + String(repeating: "ab", count: 32)

        // The library: a clear error naming both fingerprints.
        let client = PilotClient(host: "127.0.0.1", port: a.port, token: a.token, tlsFingerprint: wrong)
        do {
            _ = try await client.summary()
            Issue.record("a client with a wrong fingerprint was answered")
        } catch let e as TLSPinError {
            #expect(e.description.contains("does not match the pinned fingerprint \(wrong)"), "\(e)")
            #expect(e.presented?.description == a.tlsFingerprint, "\(e)")
        }
        // A malformed one is an error too, never a fall back to plain text.
        let malformed = PilotClient(host: "127.0.0.1", port: a.port, token: a.token, tlsFingerprint: "sha256:nothex")
        await #expect { try await malformed.summary() } throws: { "\($0)".contains("not sha256:HEX") }

        // The CLI, from an access file whose fingerprint is not the manager's.
        let other = PilotBinary.tempDir("tls-other")
        defer { try? FileManager.default.removeItem(atPath: other) }
        var forged = a
        forged.tlsFingerprint = wrong
        try forged.write(to: other)
        let r = try PilotBinary.run(["status", "--server-dir", other])
        #expect(r.status != 0)
        #expect(r.err.contains("does not match the pinned fingerprint"), "\(r.out) \(r.err)")

        // An agent with the wrong pin never registers, and says why.
        let tokenFile = c.dir + "/bare-token"
        FileManager.default.createFile(atPath: tokenFile, contents: Data(a.token.utf8), attributes: [.posixPermissions: 0o600])
        let agent = try c.startAgent(["--manager", "127.0.0.1:\(a.agentPort)", "--token-file", tokenFile, "--tls-fingerprint", wrong] + Self.topology,
                                     name: "wrong-agent")
        try await poll("the agent's refusal") { c.log("wrong-agent").contains("does not match the pinned fingerprint") ? true : nil }
        #expect(agent.isRunning, "an agent keeps retrying (the manager may come back with its own certificate)")
        #expect(try await c.client.summary().agents == 0)
        // A bare token file without any fingerprint is refused rather than sent in clear.
        let unpinned = try PilotBinary.run(["agent", "--manager", "127.0.0.1:\(a.agentPort)", "--token-file", tokenFile] + Self.topology)
        #expect(unpinned.status != 0 && unpinned.err.contains("--tls-fingerprint"), "\(unpinned.err)")
        // The right pin registers.
        _ = try c.startAgent(["--manager", "127.0.0.1:\(a.agentPort)", "--token-file", tokenFile, "--tls-fingerprint", a.tlsFingerprint!] + Self.topology,
                             name: "right-agent")
        try await c.waitForAgents(1)
        // Plain text on the TLS port: the manager refuses it, and nothing is answered in clear.
        let plain = PilotClient(host: "127.0.0.1", port: a.port, token: a.token)
        await #expect(throws: (any Error).self) { _ = try await plain.summary() }
    }

    @Test func plainTextOffLoopbackNeedsInsecure() async throws {
        // --no-tls on a routable address: refused at start, naming the way out.
        let refused = LiveCluster(tag: "tls-host")
        defer { refused.shutdown() }
        let r = try PilotBinary.run(["manager", "start", "--server-dir", refused.dir, "--host", "0.0.0.0", "--no-tls"])
        #expect(r.status != 0)
        #expect(r.err.contains("without TLS") && r.err.contains("--insecure"), "\(r.err)")
        #expect(!FileManager.default.fileExists(atPath: AccessFile.path(in: refused.dir)))
        // --no-tls on loopback is allowed: nothing leaves the host.
        let loop = LiveCluster(tag: "tls-loop")
        defer { loop.shutdown() }
        try await loop.startManager(extra: ["--no-tls"])
        #expect(try AccessFile.read(from: loop.dir).tlsFingerprint == nil)
        #expect(try await loop.client.summary().agents == 0)

        // 0.0.0.0 with TLS (the default) starts; with --insecure it starts too, but warns.
        let tls = LiveCluster(tag: "tls-any")
        defer { tls.shutdown() }
        try await tls.startManager(extra: ["--host", "0.0.0.0"])
        #expect(try AccessFile.read(from: tls.dir).tlsFingerprint != nil)
        let insecure = LiveCluster(tag: "tls-insecure")
        defer { insecure.shutdown() }
        try await insecure.startManager(extra: ["--host", "0.0.0.0", "--insecure"])
        #expect(try AccessFile.read(from: insecure.dir).tlsFingerprint == nil)
        #expect(insecure.log("manager").contains("warning: --insecure on 0.0.0.0"), "\(insecure.log("manager"))")
        _ = try insecure.startAgent(Self.topology, name: "agent")
        try await insecure.waitForAgents(1)
    }

    static let tcpdump = ["/usr/bin/tcpdump", "/usr/sbin/tcpdump"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// A whole run captured on the loopback with tcpdump: the token (and the new one after a
    /// rotation, and the metrics token) appear nowhere in the bytes. The same run against an
    /// `--insecure` manager does show its token, so the capture would have seen it.
    @Test(.enabled(if: tcpdump != nil && getuid() == 0, "tcpdump and root (JobScripts/setup.sh --with-test-tools installs tcpdump)"))
    func aLoopbackCaptureHoldsNoToken() async throws {
        let secure = try await captureRun(tag: "tls-capture", extra: [])
        #expect(!secure.tokens.isEmpty)
        for t in secure.tokens {
            #expect(secure.capture.range(of: Data(t.utf8)) == nil, "a token crossed the loopback in clear")
        }
        #expect(secure.capture.count > 10_000, "the capture holds the run (\(secure.capture.count) bytes)")
        let control = try await captureRun(tag: "tls-capture-plain", extra: ["--insecure"])
        #expect(control.capture.range(of: Data(control.tokens[0].utf8)) != nil, "the capture misses plain-text traffic")
    }

    /// Runs a manager, an agent and tasks under tcpdump; returns the capture and the tokens used.
    func captureRun(tag: String, extra: [String]) async throws -> (capture: Data, tokens: [String]) {
        let c = LiveCluster(tag: tag)
        defer { c.shutdown() }
        try await c.startManager(extra: extra)
        let a = try AccessFile.read(from: c.dir)
        let pcap = c.dir + "/lo.pcap"
        let dump = Process()
        dump.executableURL = URL(fileURLWithPath: Self.tcpdump!)
        // --immediate-mode: without it libpcap hands packets over a ring block at a time, and a block
        // not yet full when the capture is killed is lost, so a short run could capture nothing.
        dump.arguments = ["-i", "lo", "--immediate-mode", "-U", "-s", "0", "-w", pcap, "tcp port \(a.port) or tcp port \(a.agentPort)"]
        let err = Pipe()
        dump.standardError = err
        dump.standardOutput = FileHandle.nullDevice
        try dump.run()
        // SIGKILL: a child of the test process inherits a mask that blocks SIGINT and SIGTERM. With -U
        // every packet is in the file as soon as it is captured, so nothing is lost.
        defer { if dump.isRunning { kill(dump.processIdentifier, SIGKILL); dump.waitUntilExit() } }
        // tcpdump says on stderr when it captures; nothing before that counts.
        let listening = await withCheckedContinuation { (k: CheckedContinuation<Bool, Never>) in
            Thread {
                var seen = Data()
                while true {
                    let chunk = err.fileHandleForReading.availableData
                    if chunk.isEmpty { k.resume(returning: false); return }
                    seen.append(chunk)
                    if String(decoding: seen, as: UTF8.self).contains("listening on") { k.resume(returning: true); return }
                }
            }.start()
        }
        try #require(listening, "tcpdump did not start capturing")
        // Agent registration, task traffic, CLI and library calls, the metrics scrape, a rotation
        // and the agent's reconnection with the new token after a manager restart.
        _ = try c.startAgent(Self.topology, name: "agent")
        try await c.waitForAgents(1)
        _ = try await c.client.submit(SubmitRequest(array: ArraySubmission(template: TaskSpec(command: ["/bin/sh", "-c", "echo $PILOT_ARRAY_INDEX"]), range: "1-30")))
        _ = try await c.waitAll()
        let cli = try PilotBinary.run(["status", "--server-dir", c.dir])
        #expect(cli.status == 0, "\(cli.err)")
        if let m = a.metricsToken {
            #expect(try await PilotClient(access: a).request("GET", "/metrics", bearer: m).status == 200)
        }
        let rot = try PilotBinary.run(["manager", "rotate-token", "--server-dir", c.dir])
        #expect(rot.status == 0, "\(rot.err)")
        let rotated = try AccessFile.read(from: c.dir)
        #expect(rotated.token != a.token)
        c.manager!.terminate()
        c.manager!.waitUntilExit()
        try await c.startManager(extra: extra)
        try await c.waitForAgents(1)
        _ = try await c.client.submit(SubmitRequest(tasks: [TaskSpec(command: ["/bin/true"])]))
        _ = try await c.waitAll()
        // Let the last packets reach the file, then stop the capture.
        try await Task.sleep(for: .milliseconds(500))
        kill(dump.processIdentifier, SIGKILL)
        dump.waitUntilExit()
        let capture = try Data(contentsOf: URL(fileURLWithPath: pcap))
        return (capture, [a.token, rotated.token] + (a.metricsToken.map { [$0] } ?? []))
    }

    @Test func rotateTokenKeepsAgentsConnectedAndReconnectsWork() async throws {
        let c = LiveCluster(tag: "tls-rotate")
        defer { c.shutdown() }
        try await c.startManager()
        let a = try AccessFile.read(from: c.dir)
        // One agent reads its server directory; one is given access.json as a token file, as a pilot's are.
        _ = try c.startAgent(Self.topology, name: "dir-agent")
        _ = try c.startAgent(["--manager", "127.0.0.1:\(a.agentPort)", "--token-file", AccessFile.path(in: c.dir)] + Self.topology,
                             name: "file-agent")
        try await c.waitForAgents(2)
        // A task running across the rotation.
        let gate = c.dir + "/gate"
        let long = try await c.client.submit(SubmitRequest(tasks: [TaskSpec(command: ["/bin/sh", "-c", "while [ ! -e \(gate) ]; do sleep 0.05; done; echo through"])]))
        try await poll("the long task to run") { try await c.client.task(long.first).state == .running ? true : nil }
        let ids = Set(try await c.client.agents().map(\.id))

        let r = try PilotBinary.run(["manager", "rotate-token", "--server-dir", c.dir, "--grace", "0"])
        #expect(r.status == 0, "\(r.out) \(r.err)")
        #expect(r.out.contains("2 agents stay connected"), "\(r.out)")
        let b = try AccessFile.read(from: c.dir)
        #expect(b.token != a.token && b.tlsFingerprint == a.tlsFingerprint && b.port == a.port && b.metricsToken == a.metricsToken)
        #expect(Self.mode(AccessFile.path(in: c.dir)) == 0o600)
        // The old token is refused by the API at once, with a clear 401.
        let old = PilotClient(access: a)
        await #expect { try await old.summary() } throws: { "\($0)".contains("401") }
        // A client made from the server directory picks up the new token by itself.
        let fromDir = try PilotClient(serverDir: c.dir)
        #expect(try await fromDir.summary().agents == 2)
        // The rotation is in the journal, with its grace and without either token.
        let rotations = try await fromDir.events(since: 0, limit: 1000, kinds: ["token_rotated"]).events
        #expect(rotations.count == 1 && rotations[0].detail == #"{"grace_seconds":0.0}"#, "\(rotations)")
        #expect(!"\(rotations)".contains(a.token) && !"\(rotations)".contains(b.token))

        // Both agents stayed connected: no new registration, same ids, and the running task ends
        // on its first attempt; new tasks run on them.
        FileManager.default.createFile(atPath: gate, contents: nil)
        let fresh = try PilotClient(serverDir: c.dir)
        try await poll("the long task to end") { try await fresh.task(long.first).state == .done ? true : nil }
        #expect(try await fresh.task(long.first).attempt == 1)
        #expect(Self.registrations(c, "dir-agent") == 1 && Self.registrations(c, "file-agent") == 1)
        #expect(Set(try await fresh.agents().filter { $0.state != "lost" && $0.state != "disconnected" }.map(\.id)) == ids)
        _ = try await fresh.submit(SubmitRequest(array: ArraySubmission(template: TaskSpec(command: ["/bin/true"]), range: "1-20")))
        try await poll("tasks after the rotation") { try await fresh.summary().count(.done) == 21 ? true : nil }

        // Reconnects: a manager restart drops every connection; both agents re-read their token
        // source and register with the new token (the old one has no grace left).
        c.manager!.terminate()
        c.manager!.waitUntilExit()
        try await c.startManager()
        #expect(try AccessFile.read(from: c.dir).token == b.token, "the rotated token survives the restart")
        try await c.waitForAgents(2)
        #expect(Self.registrations(c, "dir-agent") == 2 && Self.registrations(c, "file-agent") == 2)
        _ = try await c.client.submit(SubmitRequest(array: ArraySubmission(template: TaskSpec(command: ["/bin/true"]), range: "1-10")))
        try await poll("tasks after the restart") { try await c.client.summary().count(.done) == 31 ? true : nil }

        // Grace: after a rotation with the default grace the previous token still registers an
        // agent that holds only a copy of it; after one with --grace 0 it does not.
        let copy = c.dir + "/old-token"
        FileManager.default.createFile(atPath: copy, contents: Data(b.token.utf8), attributes: [.posixPermissions: 0o600])
        let graceful = try PilotBinary.run(["manager", "rotate-token", "--server-dir", c.dir])
        #expect(graceful.status == 0 && graceful.out.contains("until"), "\(graceful.out) \(graceful.err)")
        _ = try c.startAgent(["--manager", "127.0.0.1:\(a.agentPort)", "--token-file", copy, "--tls-fingerprint", a.tlsFingerprint!] + Self.topology,
                             name: "copy-agent")
        try await poll("the agent with the previous token") { Self.registrations(c, "copy-agent") == 1 ? true : nil }
        let strict = try PilotBinary.run(["manager", "rotate-token", "--server-dir", c.dir, "--grace", "0"])
        #expect(strict.status == 0, "\(strict.err)")
        let stale = try PilotBinary.run(["agent", "--manager", "127.0.0.1:\(a.agentPort)", "--token-file", copy,
                                         "--tls-fingerprint", a.tlsFingerprint!] + Self.topology)
        #expect(stale.status != 0 && stale.err.contains("refused"), "\(stale.err)")
        // The manager never logs a token.
        let log = c.log("manager")
        for t in [a.token, b.token] { #expect(!log.contains(t)) }
    }
}
