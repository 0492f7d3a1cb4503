import Foundation

/// `access.json` in the server directory: how clients and agents reach the manager.
public struct AccessFile: Sendable, Codable, Equatable {
    public var version: Int = WireVersion.current
    public var host: String
    public var port: Int
    public var agentPort: Int
    public var token: String
    public var pid: Int32?
    /// A read-only token for Prometheus: accepted on `GET /metrics` and nowhere else, so a scrape
    /// configuration never holds a credential that can submit or cancel tasks.
    public var metricsToken: String?
    /// The SHA-256 of the manager's certificate (`sha256:HEX`): both the API (HTTPS) and the agent
    /// channel speak TLS with it, and clients and agents accept that certificate and no other. Absent:
    /// the manager was started with `--insecure` and speaks plain HTTP and TCP.
    public var tlsFingerprint: String?

    public init(host: String, port: Int, agentPort: Int, token: String, pid: Int32? = nil, metricsToken: String? = nil,
                tlsFingerprint: String? = nil) {
        self.host = host; self.port = port; self.agentPort = agentPort; self.token = token; self.pid = pid
        self.metricsToken = metricsToken
        self.tlsFingerprint = tlsFingerprint
    }

    enum CodingKeys: String, CodingKey {
        case version, host, port, agentPort, token, pid, metricsToken = "metrics_token", tlsFingerprint = "tls_fingerprint"
    }

    /// The pinned certificate; nil for a manager without TLS. A fingerprint that does not parse is an
    /// error, never a reason to fall back to plain text.
    public func pin() throws -> TLSPin? {
        guard let f = tlsFingerprint else { return nil }
        guard let p = TLSPin(f) else { throw AccessError("tls_fingerprint '\(f.prefix(80))' is not sha256:HEX (64 hex digits)") }
        return p
    }

    public static func path(in serverDir: String) -> String { serverDir + "/access.json" }

    /// Writes atomically with mode 0600: the token is a credential. A temporary file is written
    /// whole, synced, then renamed over the old one, and the directory synced: a full disk or a crash
    /// at any point leaves either the old file or the new one, never a truncated one (a truncated
    /// file once made the next start mint a new token and refuse every running agent).
    public func write(to serverDir: String) throws {
        let data = try JSONEncoder().encode(self)
        let final = Self.path(in: serverDir)
        let tmp = final + ".tmp.\(getpid())"
        func failure(_ what: String, _ e: Int32) -> AccessError {
            unlink(tmp)
            return AccessError("cannot write \(final): \(what): \(String(cString: strerror(e)))")
        }
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw failure("cannot create \(tmp)", errno) }
        var written = 0
        while written < data.count {
            let n = data.withUnsafeBytes { Foundation.write(fd, $0.baseAddress! + written, $0.count - written) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { let e = n < 0 ? errno : ENOSPC; close(fd); throw failure("short write", e) }
            written += n
        }
        guard fchmod(fd, 0o600) == 0 else { let e = errno; close(fd); throw failure("fchmod", e) }
        guard fsync(fd) == 0 else { let e = errno; close(fd); throw failure("fsync", e) }
        guard close(fd) == 0 else { throw failure("close", errno) }
        guard rename(tmp, final) == 0 else { throw failure("rename", errno) }
        let dirFD = open(serverDir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirFD >= 0 { fsync(dirFD); close(dirFD) }
    }

    /// Fails unless the directory takes a file as large as an access file: a manager that could
    /// not write its address and token must refuse to start rather than run unreachable.
    public static func checkWritable(_ serverDir: String, token: String) throws {
        let probe = AccessFile(host: String(repeating: "h", count: 255), port: 65535, agentPort: 65535, token: token, pid: Int32.max,
                               metricsToken: token, tlsFingerprint: "sha256:" + String(repeating: "0", count: 64))
        let data = try JSONEncoder().encode(probe)
        let tmp = path(in: serverDir) + ".probe.\(getpid())"
        defer { unlink(tmp) }
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw AccessError("cannot write in \(serverDir): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let n = data.withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
        guard n == data.count, fsync(fd) == 0 else {
            throw AccessError("cannot write in \(serverDir): \(String(cString: strerror(n < 0 ? errno : ENOSPC)))")
        }
    }

    /// Reads the file, refusing one that others can read: a leaked token would let anyone run tasks.
    public static func read(from serverDir: String) throws -> AccessFile {
        let p = path(in: serverDir)
        var st = stat()
        guard stat(p, &st) == 0 else {
            throw AccessError("no manager found: \(p) does not exist (start one with `pilot manager start --server-dir \(serverDir)`)", missing: true)
        }
        guard st.st_mode & 0o077 == 0 else {
            throw AccessError("\(p) has mode \(String(st.st_mode & 0o777, radix: 8)); it holds a token and must be readable only by its owner (chmod 600)")
        }
        guard st.st_uid == getuid() else { throw AccessError("\(p) belongs to uid \(st.st_uid), not to you (uid \(getuid()))") }
        guard let data = FileManager.default.contents(atPath: p) else { throw AccessError("cannot read \(p)") }
        do { return try JSONDecoder().decode(AccessFile.self, from: data) } catch {
            throw AccessError("\(p) is not a valid access file: \(error)")
        }
    }

    /// Reads a bare token file (`--token-file`), with the same permission rule.
    public static func readToken(file: String) throws -> String { try readCredentials(file: file).token }

    /// A token file's token, and the certificate fingerprint when the file is an access file (as a
    /// pilot's agents are given: the manager's `access.json` on the shared file system).
    /// `accessFile`: the file is an access file, whose lack of a fingerprint means a manager without TLS.
    public static func readCredentials(file: String) throws -> (token: String, tlsFingerprint: String?, accessFile: Bool) {
        var st = stat()
        guard stat(file, &st) == 0 else { throw AccessError("token file \(file) does not exist") }
        guard st.st_mode & 0o077 == 0 else {
            throw AccessError("token file \(file) has mode \(String(st.st_mode & 0o777, radix: 8)); it must be readable only by its owner (chmod 600)")
        }
        guard let data = FileManager.default.contents(atPath: file), let s = String(data: data, encoding: .utf8) else {
            throw AccessError("cannot read token file \(file)")
        }
        if let a = try? JSONDecoder().decode(AccessFile.self, from: data) { return (a.token, a.tlsFingerprint, true) }
        return (s.trimmingCharacters(in: .whitespacesAndNewlines), nil, false)
    }

    public static func randomToken() -> String {
        var g = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &g)) }.joined()
    }
}

public struct AccessError: Error, CustomStringConvertible, Sendable {
    public var description: String
    /// No access file at all: no manager has run here, as opposed to one that cannot be used.
    public var missing: Bool
    public init(_ d: String, missing: Bool = false) { description = d; self.missing = missing }
}
