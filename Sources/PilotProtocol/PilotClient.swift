import Foundation
import NIOConcurrencyHelpers
import NIOHTTP1
import PilotCore

/// The HTTP/JSON client used by the CLI, the tests and drivers running as tasks.
///
/// Over HTTPS when the manager has a certificate (`tls_fingerprint` in `access.json`): the manager's
/// certificate is pinned, and a server presenting any other is refused before the token is sent.
public struct PilotClient: Sendable {
    public var baseURL: URL
    /// The bearer token. A client made from a server directory picks up a rotated token by itself
    /// (`pilot manager rotate-token`): a refused request re-reads `access.json` and is sent once more.
    public var token: String {
        get { credentials.token }
        set { credentials = Credentials(token: newValue, serverDir: nil) }
    }
    /// The pinned certificate fingerprint (`sha256:HEX`); nil: plain HTTP.
    public let tlsFingerprint: String?
    private var credentials: Credentials
    let transport: HTTPTransport
    /// A fingerprint that does not parse: every request fails with this rather than going out unpinned.
    private let pinProblem: String?

    /// Plain HTTP unless `tlsFingerprint` (`sha256:HEX`) is given.
    public init(host: String, port: Int, token: String, tlsFingerprint: String? = nil, timeout: Double = 120) {
        self.init(host: host, port: port, token: token, tlsFingerprint: tlsFingerprint, timeout: timeout, serverDir: nil)
    }

    init(host: String, port: Int, token: String, tlsFingerprint: String?, timeout: Double, serverDir: String?) {
        let h = host.contains(":") ? "[\(host)]" : host
        let pin = tlsFingerprint.flatMap(TLSPin.init)
        baseURL = URL(string: "\(tlsFingerprint == nil ? "http" : "https")://\(h):\(port)")!
        self.tlsFingerprint = tlsFingerprint
        credentials = Credentials(token: token, serverDir: serverDir)
        pinProblem = tlsFingerprint != nil && pin == nil
            ? "the TLS fingerprint '\(tlsFingerprint!.prefix(80))' is not sha256:HEX (64 hex digits)" : nil
        transport = HTTPTransport(host: host, port: port, pin: pin, timeout: timeout)
    }

    public init(access: AccessFile) {
        self.init(access: access, serverDir: nil)
    }

    init(access: AccessFile, serverDir: String?) {
        self.init(host: access.host == "0.0.0.0" ? "127.0.0.1" : access.host, port: access.port, token: access.token,
                  tlsFingerprint: access.tlsFingerprint, timeout: 120, serverDir: serverDir)
    }

    public init(serverDir: String) throws { self.init(access: try AccessFile.read(from: serverDir), serverDir: serverDir) }

    public func submit(_ req: SubmitRequest) async throws -> SubmitResponse { try await call("POST", "/v1/tasks", body: req) }
    public func task(_ id: Int64) async throws -> TaskInfo { try await call("GET", "/v1/tasks/\(id)") }
    /// A page of tasks: ascending by id after `after`, or with `newestFirst` descending below `before`.
    public func tasks(state: TaskState? = nil, limit: Int = 1000, after: Int64 = 0, newestFirst: Bool = false, before: Int64? = nil) async throws -> [TaskInfo] {
        var q = "limit=\(limit)&after=\(after)"
        if newestFirst { q += "&order=desc" }
        if let before { q += "&before=\(before)" }
        if let s = state { q += "&state=\(s.rawValue)" }
        let l: TaskList = try await call("GET", "/v1/tasks?\(q)")
        return l.tasks
    }
    /// New tasks from ended ones: those in `state` (of `workflow`), or the given ids.
    public func resubmit(_ req: ResubmitRequest) async throws -> ResubmitResponse { try await call("POST", "/v1/tasks/resubmit", body: req) }
    public func cancel(_ ids: [Int64]) async throws -> CancelResponse { try await call("POST", "/v1/tasks/cancel", body: CancelRequest(ids: ids)) }
    public func agents() async throws -> [AgentInfo] { let l: AgentList = try await call("GET", "/v1/agents"); return l.agents }
    public func summary() async throws -> Summary { try await call("GET", "/v1/summary") }
    /// Every agent drains: no new tasks, running ones may go on until `deadline`, then it exits.
    public func drainAgents(deadline: Double? = nil, reason: String? = nil) async throws -> AgentDrainResponse {
        try await call("POST", "/v1/agents/drain", body: PilotDrainRequest(deadline: deadline, reason: reason))
    }
    /// A task's log, or the part of it `offset`/`length` (bytes) or `tail` (the last bytes) select.
    public func logs(_ id: Int64, stream: String = "stdout", offset: Int? = nil, length: Int? = nil, tail: Int? = nil) async throws -> String {
        String(decoding: try await logBytes(id, stream: stream, offset: offset, length: length, tail: tail), as: UTF8.self)
    }

    public func logBytes(_ id: Int64, stream: String = "stdout", offset: Int? = nil, length: Int? = nil, tail: Int? = nil) async throws -> Data {
        var q = "stream=\(stream)"
        if let offset { q += "&offset=\(offset)" }
        if let length { q += "&length=\(length)" }
        if let tail { q += "&tail=\(tail)" }
        let (data, status) = try await raw("GET", "/v1/tasks/\(id)/logs?\(q)", body: nil)
        guard status == 200 else {
            if let e = try? APICoding.decoder().decode(ErrorEnvelope.self, from: data) { throw e.error }
            throw APIErrorBody(code: "http_\(status)", message: String(decoding: data.prefix(500), as: UTF8.self))
        }
        return data
    }
    /// Long-polls until the tasks (all tasks when `ids` is empty) are terminal or `timeout` passes.
    public func wait(ids: [Int64] = [], timeout: Double = 5) async throws -> WaitResponse {
        var q = "timeout=\(timeout)"
        if !ids.isEmpty { q += "&ids=" + ids.map(String.init).joined(separator: ",") }
        return try await call("GET", "/v1/wait?\(q)")
    }
    public func submitWorkflow(_ req: WorkflowSubmitRequest) async throws -> WorkflowInfo { try await call("POST", "/v1/workflows", body: req) }
    public func workflow(_ id: Int64) async throws -> WorkflowInfo { try await call("GET", "/v1/workflows/\(id)") }
    public func workflows() async throws -> [WorkflowInfo] { let l: WorkflowList = try await call("GET", "/v1/workflows"); return l.workflows }
    public func retryWorkflow(_ id: Int64) async throws -> WorkflowInfo { try await call("POST", "/v1/workflows/\(id)/retry", body: Optional<String>.none) }

    public func health() async throws -> Bool {
        let (_, code) = try await raw("GET", "/v1/health", body: nil, auth: false)
        return code == 200
    }

    public func call<R: Decodable>(_ method: String, _ path: String) async throws -> R {
        try await call(method, path, body: Optional<String>.none)
    }

    public func call<B: Encodable, R: Decodable>(_ method: String, _ path: String, body: B?) async throws -> R {
        let data = try body.map { try APICoding.encoder().encode($0) }
        let (resp, code) = try await raw(method, path, body: data)
        guard (200..<300).contains(code) else {
            if let e = try? APICoding.decoder().decode(ErrorEnvelope.self, from: resp) { throw e.error }
            throw APIErrorBody(code: "http_\(code)", message: String(decoding: resp.prefix(500), as: UTF8.self))
        }
        return try APICoding.decoder().decode(R.self, from: resp)
    }

    /// One request as given: `bearer` (or none) in the Authorization header, any status returned as is.
    public func request(_ method: String, _ path: String, body: Data? = nil, bearer: String?) async throws -> HTTPResult {
        if let pinProblem { throw APIErrorBody(code: "bad_fingerprint", message: pinProblem) }
        var headers: [(String, String)] = []
        if body != nil { headers.append(("Content-Type", "application/json")) }
        if let bearer { headers.append(("Authorization", "Bearer \(bearer)")) }
        return try await transport.request(method, path, headers: headers, body: body)
    }

    public func raw(_ method: String, _ path: String, body: Data?, auth: Bool = true) async throws -> (Data, Int) {
        let r = try await send(method, path, body: body, auth: auth)
        return (r.body, r.status)
    }

    /// One request with the token; a 401 from a client that knows its server directory re-reads the
    /// token there (it may have been rotated) and tries once more before giving up.
    func send(_ method: String, _ path: String, body: Data?, auth: Bool = true) async throws -> HTTPResult {
        if let pinProblem { throw APIErrorBody(code: "bad_fingerprint", message: pinProblem) }
        var headers: [(String, String)] = []
        if body != nil { headers.append(("Content-Type", "application/json")) }
        guard auth else { return try await transport.request(method, path, headers: headers, body: body) }
        var r = try await transport.request(method, path, headers: headers + [("Authorization", "Bearer \(token)")], body: body)
        if r.status == 401, let fresh = credentials.reread() {
            r = try await transport.request(method, path, headers: headers + [("Authorization", "Bearer \(fresh)")], body: body)
        }
        if r.status == 401 { throw APIErrorBody(code: "unauthorized", message: "the manager refused the token (401): check access.json or --token-file") }
        return r
    }
}

/// The token, shared by copies of one client so a re-read token serves them all.
final class Credentials: Sendable {
    private let current: NIOLockedValueBox<String>
    let serverDir: String?

    init(token: String, serverDir: String?) {
        current = NIOLockedValueBox(token)
        self.serverDir = serverDir
    }

    var token: String { current.withLockedValue { $0 } }

    /// The token in the server directory's `access.json` if it differs from the one held.
    func reread() -> String? {
        guard let dir = serverDir, let a = try? AccessFile.read(from: dir) else { return nil }
        return current.withLockedValue { t in
            guard a.token != t else { return nil }
            t = a.token
            return a.token
        }
    }
}
