import Foundation
import PilotCore
import PilotProtocol
import Testing

/// Unauthenticated peers cannot make the manager hold memory: frames before the token are small,
/// unauthenticated connections are few and short-lived; HTTP bodies over a limit get 413.
///
/// The managers here run `--no-tls` (loopback): the raw frames and requests written on plain
/// sockets must reach the framing and HTTP layers these limits live in, which TLS only wraps.
/// `unauthenticatedTLSHandshakesAreLimitedToo` checks the same limits with TLS on.
@Suite(.serialized) struct PreAuthLimitsEndToEndTests {
    /// A blocking TCP connection to 127.0.0.1:port.
    static func connect(_ port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw E2EError("socket: \(errno)") }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else { close(fd); throw E2EError("connect: \(errno)") }
        var tv = timeval(tv_sec: 15, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        return fd
    }

    /// Runs blocking socket calls on a thread of their own: on the cooperative pool (two threads on
    /// this machine) they would stall every other test's async code in this process.
    static func offPool<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { c in Thread { c.resume(returning: body()) }.start() }
    }

    /// Sends up to `bytes`; returns how many the peer took before closing (or the timeout).
    @discardableResult
    static func push(_ fd: Int32, _ bytes: Int) -> Int {
        let chunk = [UInt8](repeating: 0x7b, count: 1 << 16)
        var sent = 0
        while sent < bytes {
            let n = chunk.withUnsafeBytes { send(fd, $0.baseAddress, min($0.count, bytes - sent), Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { break }
            sent += n
        }
        return sent
    }

    /// Whether the peer closed the connection (recv sees EOF or a reset) within the receive timeout.
    static func closedByPeer(_ fd: Int32) -> Bool {
        var b = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = b.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n == 0 { return true }
            if n < 0 { return errno == ECONNRESET }
        }
    }

    static func rssMiB(_ pid: Int32, field: String = "VmRSS") -> Double {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") }),
              let kb = Double(line.split(separator: " ").dropFirst().first ?? "") else { return -1 }
        return kb / 1024
    }

    @Test func thirtyOversizedFramesBeforeHelloKeepTheManagerSmall() async throws {
        let c = LiveCluster(tag: "preauth")
        defer { c.shutdown() }
        try await c.startManager(extra: ["--no-tls"])
        let access = try AccessFile.read(from: c.dir)
        let pid = c.manager!.processIdentifier
        let before = Self.rssMiB(pid)

        // Each declares a 64 MB frame and then tries to send it.
        let fds = try (0..<30).map { _ in try Self.connect(access.agentPort) }
        defer { fds.forEach { close($0) } }
        let sent = await withTaskGroup(of: Int.self) { g in
            for fd in fds {
                g.addTask {
                    await Self.offPool {
                        var header = UInt32(64 << 20).bigEndian
                        _ = withUnsafeBytes(of: &header) { send(fd, $0.baseAddress, 4, Int32(MSG_NOSIGNAL)) }
                        return Self.push(fd, 64 << 20)
                    }
                }
            }
            return await g.reduce(into: [Int]()) { $0.append($1) }
        }
        for fd in fds { #expect(await Self.offPool { Self.closedByPeer(fd) }, "an oversized pre-hello frame must end the connection") }
        let peak = Self.rssMiB(pid, field: "VmHWM")
        #expect(peak < 200, "manager peak RSS \(peak) MiB (before: \(before) MiB); peers pushed \(sent.reduce(0, +) >> 20) MiB")
        #expect(sent.allSatisfy { $0 < 64 << 20 }, "the manager read a whole 64 MB frame before hello")

        // Still serving: an agent registers and runs a task.
        _ = try c.startAgent(["--topology", "synthetic:package:1 numa:1 core:1 pu:1"], name: "agent")
        try await c.waitForAgents(1)
        _ = try await c.client.submit(SubmitRequest(tasks: [TaskSpec(command: ["true"])]))
        #expect(try await c.waitAll(timeout: 60).failed == 0)
    }

    @Test func unauthenticatedTLSHandshakesAreLimitedToo() async throws {
        let c = LiveCluster(tag: "preauth-tls")
        defer { c.shutdown() }
        try await c.startManager()
        let access = try AccessFile.read(from: c.dir)
        #expect(access.tlsFingerprint != nil)
        // Silent peers that never start a handshake: closed like silent plain ones, the surplus at
        // once, the rest after the 5 s allowed to authenticate (the handshake counts in it).
        let silent = try (0..<80).map { _ in try Self.connect(access.agentPort) }
        defer { silent.forEach { close($0) } }
        // Peers that write plain frames on the TLS port: refused by the handshake, at once.
        let plain = try (0..<8).map { _ in try Self.connect(access.agentPort) }
        defer { plain.forEach { close($0) } }
        let start = Date()
        let closed = await withTaskGroup(of: Bool.self) { g in
            for fd in silent { g.addTask { await Self.offPool { Self.closedByPeer(fd) } } }
            for fd in plain {
                g.addTask {
                    await Self.offPool {
                        var header = UInt32(64 << 20).bigEndian
                        _ = withUnsafeBytes(of: &header) { send(fd, $0.baseAddress, 4, Int32(MSG_NOSIGNAL)) }
                        Self.push(fd, 1 << 20)
                        return Self.closedByPeer(fd)
                    }
                }
            }
            return await g.reduce(into: 0) { $0 += $1 ? 1 : 0 }
        }
        #expect(closed == 88)
        #expect(Date().timeIntervalSince(start) < 12)
        #expect(try await c.client.health())
        _ = try c.startAgent(["--topology", "synthetic:package:1 numa:1 core:1 pu:1"], name: "agent")
        try await c.waitForAgents(1)
    }

    @Test func silentUnauthenticatedConnectionsAreClosed() async throws {
        let c = LiveCluster(tag: "preauth-idle")
        defer { c.shutdown() }
        try await c.startManager(extra: ["--no-tls"])
        let access = try AccessFile.read(from: c.dir)
        // More than the manager lets wait at once: the surplus is closed at once, the rest after the
        // time allowed to authenticate (5 s), all within the 15 s receive timeout.
        let fds = try (0..<80).map { _ in try Self.connect(access.agentPort) }
        defer { fds.forEach { close($0) } }
        let start = Date()
        let closed = await withTaskGroup(of: Bool.self) { g in
            for fd in fds { g.addTask { await Self.offPool { Self.closedByPeer(fd) } } }
            return await g.reduce(into: 0) { $0 += $1 ? 1 : 0 }
        }
        #expect(closed == 80)
        #expect(Date().timeIntervalSince(start) < 12)
        #expect(try await c.client.health())
    }

    @Test func aRequestThatStallsIsDropped() async throws {
        let c = LiveCluster(tag: "slowloris")
        defer { c.shutdown() }
        try await c.startManager(extra: ["--no-tls"])
        let access = try AccessFile.read(from: c.dir)
        // Half a header, and a complete head whose body never comes.
        let partialHead = try Self.connect(access.port)
        let stalledBody = try Self.connect(access.port)
        defer { close(partialHead); close(stalledBody) }
        var tv = timeval(tv_sec: 45, tv_usec: 0)
        for fd in [partialHead, stalledBody] { setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size)) }
        let head = "POST /v1/tasks HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(access.token)\r\nContent-Length: 1000\r\n\r\n{"
        _ = head.withCString { send(partialHead, $0, 20, Int32(MSG_NOSIGNAL)) }
        _ = head.withCString { send(stalledBody, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
        let start = Date()
        async let first = Self.offPool { Self.closedByPeer(partialHead) }
        async let second = Self.offPool { Self.closedByPeer(stalledBody) }
        #expect(await first)
        #expect(await second)
        // The server's idle timeout is 30 s; the receive timeout (45 s) would report false instead.
        #expect(Date().timeIntervalSince(start) < 44)
        #expect(try await c.client.health())
    }

    /// One length-prefixed frame.
    static func sendFrame(_ fd: Int32, _ payload: Data) {
        var len = UInt32(payload.count).bigEndian
        var frame = withUnsafeBytes(of: &len) { Data($0) }
        frame.append(payload)
        _ = frame.withUnsafeBytes { p in
            var off = 0
            while off < p.count {
                let n = send(fd, p.baseAddress! + off, p.count - off, Int32(MSG_NOSIGNAL))
                if n <= 0 { break }
                off += n
            }
        }
    }

    /// The first frame the peer sends back, or nil if it closed first.
    static func readFrame(_ fd: Int32) -> Data? {
        func read(_ n: Int) -> Data? {
            var out = Data()
            var buf = [UInt8](repeating: 0, count: max(n, 1))
            while out.count < n {
                let r = recv(fd, &buf, n - out.count, 0)
                guard r > 0 else { return nil }
                out.append(contentsOf: buf[..<r])
            }
            return out
        }
        guard let h = read(4) else { return nil }
        return read(Int(h.withUnsafeBytes { UInt32(bigEndian: $0.loadUnaligned(as: UInt32.self)) }))
    }

    @Test func aHelloLargerThanThePreAuthLimitNeedsTheTokenFirst() async throws {
        let c = LiveCluster(tag: "bighello")
        defer { c.shutdown() }
        try await c.startManager(extra: ["--no-tls"])
        let access = try AccessFile.read(from: c.dir)
        // A hello carrying many unacknowledged results, as after a long manager outage.
        let finished = (0..<2000).map { i in
            TaskOutcome(key: TaskKey(task: Int64(1_000_000 + i), attempt: 1), kind: .exited, exitCode: 0, endedAt: 0,
                        reason: String(repeating: "r", count: 40))
        }
        func hello(_ uuid: String) throws -> Data {
            try JSONEncoder().encode(AgentEnvelope.hello(AgentHello(
                token: access.token, agentUUID: uuid, hostname: "big", pilot: nil,
                resources: .uniform(hostname: "big", domains: 1, coresPerDomain: 1), deadline: nil, finished: finished)))
        }
        let big = try hello("big-1")
        #expect(big.count > WireVersion.maxPreAuthFrameBytes)

        // Alone it is refused before it is read.
        let refused = try Self.connect(access.agentPort)
        defer { close(refused) }
        #expect(await Self.offPool { Self.sendFrame(refused, big); return Self.readFrame(refused) } == nil)

        // After the token on its own, the same hello is welcomed.
        let welcomed = try Self.connect(access.agentPort)
        defer { close(welcomed) }
        let auth = try JSONEncoder().encode(AgentAuth(token: access.token)), second = try hello("big-2")
        let answer = try #require(await Self.offPool { Self.sendFrame(welcomed, auth); Self.sendFrame(welcomed, second); return Self.readFrame(welcomed) },
                                  "no answer to an authenticated large hello")
        #expect(String(decoding: answer, as: UTF8.self).contains("welcome"))

        // A wrong token in the auth frame is refused like a wrong hello.
        let wrong = try Self.connect(access.agentPort)
        defer { close(wrong) }
        let nope = try JSONEncoder().encode(AgentAuth(token: "nope"))
        let error = try #require(await Self.offPool { Self.sendFrame(wrong, nope); return Self.readFrame(wrong) })
        #expect(String(decoding: error, as: UTF8.self).contains("unauthorized"))
    }

    @Test func anOversizedBodyGets413() async throws {
        let c = LiveCluster(tag: "http413")
        defer { c.shutdown() }
        try await c.startManager(extra: ["--no-tls"])
        // The workflow route takes at most 16 MiB.
        let body = Data(repeating: 0x20, count: 17 << 20)
        let (data, status) = try await c.client.raw("POST", "/v1/workflows", body: body)
        #expect(status == 413, "\(String(decoding: data, as: UTF8.self))")
        #expect(String(decoding: data, as: UTF8.self).contains("too_large"))
        #expect(try await c.client.health())
    }
}
