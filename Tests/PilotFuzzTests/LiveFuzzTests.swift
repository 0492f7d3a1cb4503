import Foundation
import NIOCore
import PilotCore
import PilotProtocol
import Testing

/// Mutated API bodies and agent messages against a live in-test manager process: every case is
/// answered (an error or a success), and afterwards the manager still runs work.
@Suite(.serialized) struct LiveFuzzTests {
    @Test func apiBodiesAndAgentMessages() async throws {
        let c = FuzzCluster()
        defer { c.stop() }
        let client = try await c.start()
        let cases = ParserFuzzTests.cases
        var m = Mutator(state: 21)

        let good = String(decoding: try JSONEncoder().encode(SubmitRequest(tasks: [TaskSpec(command: ["true"])])), as: UTF8.self)
        var statuses: [Int: Int] = [:]
        for _ in 0..<cases {
            let (_, code) = try await client.raw("POST", "/v1/tasks", body: Data(m.mutate(good).utf8))
            statuses[code, default: 0] += 1
        }
        #expect(statuses.keys.allSatisfy { [200, 400, 413].contains($0) }, "\(statuses)")
        #expect(statuses[400, default: 0] > cases / 2)

        // Agent channel: mutated hellos, each on a fresh connection.
        let access = try AccessFile.read(from: c.dir)
        let hello = AgentEnvelope.hello(AgentHello(token: access.token, agentUUID: "fuzz", hostname: "fuzz", pilot: nil,
                                                   resources: .uniform(hostname: "fuzz", domains: 1, coresPerDomain: 1),
                                                   deadline: nil))
        let helloJSON = String(decoding: try JSONEncoder().encode(hello), as: UTF8.self)
        var answered = 0
        for _ in 0..<cases {
            let conn = try RawConnection(port: access.agentPort)
            conn.sendFrame(Data(m.mutate(helloJSON).utf8))
            if conn.readFrame() != nil { answered += 1 }
            conn.close()
        }
        #expect(answered == cases)

        // Pre-hello frames declaring more than the pre-auth limit, with bytes behind them: each
        // connection is closed without an answer, and nothing is buffered for it.
        for i in 0..<cases / 10 {
            let conn = try RawConnection(port: access.agentPort)
            let len = UInt32(WireVersion.maxPreAuthFrameBytes + 1 + (i == 0 ? 0 : m.int(1 << 30)))
            conn.sendRaw(withUnsafeBytes(of: len.bigEndian) { Data($0) })
            conn.sendRaw(Data(repeating: 0x7b, count: 1 << 16))
            #expect(conn.readFrame() == nil)
            conn.close()
        }

        // Bodies over each route's limit: 413, never 500.
        for (route, limit) in [("/v1/workflows", 16 << 20), ("/v1/pilots", 1 << 20), ("/v1/allocs", 1 << 20),
                               ("/v1/pilots/p1/drain", 1 << 16)] {
            let (data, code) = try await client.raw("POST", route, body: Data(repeating: 0x20, count: limit + 1 + m.int(1 << 16)))
            #expect(code == 413, "\(route): \(code) \(String(decoding: data.prefix(200), as: UTF8.self))")
        }

        // Mutated messages after a valid hello, on one connection.
        let conn = try RawConnection(port: access.agentPort)
        conn.sendFrame(Data(helloJSON.utf8))
        let welcome = try #require(conn.readFrame())
        #expect(String(decoding: welcome, as: UTF8.self).contains("welcome"))
        let finished = String(decoding: try JSONEncoder().encode(AgentEnvelope.finished([
            TaskOutcome(key: TaskKey(task: 999_999, attempt: 1), kind: .exited, exitCode: 0, endedAt: 0)])), as: UTF8.self)
        for _ in 0..<cases { conn.sendFrame(Data(m.mutate(finished).utf8)) }
        // And their binary form, mutated byte by byte.
        var fin = AgentEnvelope.finished([TaskOutcome(key: TaskKey(task: 999_999, attempt: 1), kind: .exited, exitCode: 0, endedAt: 0)])
        fin.started = [RunningTask(key: TaskKey(task: 999_998, attempt: 0), pid: 1, startedAt: 0)]
        let binary = Array(BinaryFrame.encode(fin, allocator: ByteBufferAllocator())!.readableBytesView)
        for _ in 0..<cases {
            var b = binary
            let at = 1 + m.int(b.count - 1)
            if m.int(2) == 0 { b = Array(b.prefix(at)) } else { b[at] = UInt8(truncatingIfNeeded: m.next()) }
            conn.sendFrame(Data(b))
        }
        // An oversized frame header closes the connection instead of allocating.
        conn.sendRaw(Data([0xFF, 0xFF, 0xFF, 0xF0]))
        conn.close()

        // Still alive and still running work.
        #expect(try await client.health())
        _ = try await c.startAgent()
        let s = try await client.submit(SubmitRequest(tasks: [TaskSpec(command: ["true"])]))
        let w = try await client.wait(ids: [s.first], timeout: 30)
        #expect(w.finished)
        #expect(!c.managerLog.contains("Fatal error"))
    }
}

/// A manager process of the real binary, for the fuzz tests.
final class FuzzCluster: @unchecked Sendable {
    let dir = NSTemporaryDirectory() + "pilot-fuzz-\(UUID().uuidString.prefix(8))"
    var procs: [Process] = []
    static let binary = ParserFuzzTests.root.appendingPathComponent(".build/debug/pilot").path

    func start() async throws -> PilotClient {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        // Plain TCP (loopback only): the fuzzed frames and bodies reach the framing and the parsers
        // they test, as they would inside TLS; TLS itself is TLSEndToEndTests' business.
        let p = try launch(["manager", "start", "--server-dir", dir, "--no-tls"], log: "manager.log")
        // Generous: the unit suites run in parallel on two cores beside this manager's start-up.
        let deadline = Date().addingTimeInterval(240)
        while Date() < deadline {
            if let a = try? AccessFile.read(from: dir), a.pid == p.processIdentifier {
                let c = PilotClient(access: a)
                if (try? await c.health()) == true { return c }
            }
            guard p.isRunning else { throw FuzzError("manager exited with \(p.terminationStatus): \(managerLog)") }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw FuzzError("manager did not start in 240 s: \(managerLog)")
    }

    func startAgent() async throws -> Process {
        try launch(["agent", "--server-dir", dir, "--topology", "synthetic:package:1 numa:1 core:1 pu:1"], log: "agent.log")
    }

    func launch(_ args: [String], log: String) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.binary)
        p.arguments = args
        FileManager.default.createFile(atPath: dir + "/" + log, contents: nil)
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: dir + "/" + log))
        p.standardOutput = h
        p.standardError = h
        try p.run()
        procs.append(p)
        return p
    }

    var managerLog: String { (try? String(contentsOfFile: dir + "/manager.log", encoding: .utf8)) ?? "" }

    func stop() {
        // A manager that is gone before the test stops it crashed: its log is the diagnosis.
        if let m = procs.first, !m.isRunning {
            print("manager exited with status \(m.terminationStatus); its log ends:\n" + managerLog.split(separator: "\n").suffix(40).joined(separator: "\n"))
        }
        for p in procs where p.isRunning { kill(p.processIdentifier, SIGKILL); p.waitUntilExit() }
        try? FileManager.default.removeItem(atPath: dir)
    }
}

struct FuzzError: Error { var message: String; init(_ m: String) { message = m } }

/// A blocking TCP client speaking the agent framing, with a read deadline.
final class RawConnection {
    let fd: Int32

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let r = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard r == 0 else { throw FuzzError("connect failed: \(errno)") }
        var tv = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    func sendFrame(_ d: Data) {
        var len = UInt32(d.count).bigEndian
        sendRaw(Data(bytes: &len, count: 4) + d)
    }

    func sendRaw(_ d: Data) {
        d.withUnsafeBytes { p in
            var off = 0
            while off < p.count {
                let n = send(fd, p.baseAddress! + off, p.count - off, Int32(MSG_NOSIGNAL))
                if n <= 0 { return }
                off += n
            }
        }
    }

    /// One frame, or nil if the peer closed the connection or said nothing within the deadline.
    func readFrame() -> Data? {
        guard let h = read(4) else { return nil }
        let len = h.withUnsafeBytes { UInt32(bigEndian: $0.loadUnaligned(as: UInt32.self)) }
        return read(Int(len))
    }

    private func read(_ n: Int) -> Data? {
        var out = Data()
        var buf = [UInt8](repeating: 0, count: max(n, 1))
        while out.count < n {
            let r = recv(fd, &buf, n - out.count, 0)
            if r <= 0 { return nil }
            out.append(contentsOf: buf[0..<r])
        }
        return out
    }

    func close() { Glibc.close(fd) }
}
