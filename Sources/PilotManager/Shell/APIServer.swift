import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOFoundationCompat
import PilotCore
import PilotProtocol
import PilotStore

/// The client API: HTTP/JSON under `/v1`, every route but `/v1/health` behind the bearer token.
///
/// Handlers never touch the reactor's state directly: changes go in as events and wait for their
/// reply (which leaves only after its batch is durable), reads run on the reactor's thread between
/// events, and store reads run on the work pool. `GET /v1/summary` reads the last published summary
/// and never waits for the reactor.
struct APIServer {
    let shell: ManagerShell
    let tokens: AccessTokens
    /// Accepted on `GET /metrics` only.
    let metricsToken: String?
    let log: Logger
    /// `POST /v1/token/rotate`; nil where nothing can be rotated (tests).
    var rotation: TokenRotation?
    let sessions = DashboardSessions()

    init(shell: ManagerShell, tokens: AccessTokens, rotation: TokenRotation?, metricsToken: String?, log: Logger) {
        self.shell = shell; self.tokens = tokens; self.rotation = rotation; self.metricsToken = metricsToken; self.log = log
    }

    init(shell: ManagerShell, token: String, metricsToken: String?, log: Logger) {
        self.init(shell: shell, tokens: AccessTokens(token), rotation: nil, metricsToken: metricsToken, log: log)
    }

    func router() -> Router<BasicRequestContext> {
        let r = Router(context: BasicRequestContext.self)
        r.add(middleware: AuthMiddleware(tokens: tokens, metricsToken: metricsToken, log: log, sessions: sessions))
        r.get("/v1/health") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: "{\"ok\":true}\n")))
        }
        // The contract is compiled into the binary, so a manager copied alone to a cluster still serves it.
        r.get("/v1/openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: PackageResources.openapi_json)))
        }
        r.post("/v1/tasks") { req, _ in
            await self.respond {
                let body = try await req.body.collect(upTo: WireVersion.maxAPIBodyBytes)
                let sub = try await self.prepareQuantumTasks(try decodeBody(SubmitRequest.self, body))
                guard case .submitted(let s) = try await self.call({ .submit(sub, reply: $0) }) else { throw unexpected() }
                return s
            }
        }
        r.get("/v1/tasks") { req, _ in
            await self.respond {
                try checkQuery(req, known: ["state", "after", "before", "limit", "workflow", "order"])
                let q = req.uri.queryParameters
                let state = try q.get("state").map { s -> TaskState in
                    guard let st = TaskState(rawValue: String(s)) else {
                        throw ManagerError(.badRequest, "unknown state '\(s)' (one of \(TaskState.allCases.map(\.rawValue).joined(separator: ", ")))", field: "state")
                    }
                    return st
                }
                func integer(_ name: String) throws -> Int64? {
                    guard let s = q.get(name) else { return nil }
                    guard let v = Int64(s) else { throw ManagerError(.badRequest, "must be an integer, got '\(s)'", field: name) }
                    return v
                }
                let after = try integer("after") ?? 0
                let before = try integer("before")
                let limit = Int(min(max(try integer("limit") ?? 1000, 1), 100_000))
                let wf = try integer("workflow")
                let order = q.get("order") ?? "asc"
                guard order == "asc" || order == "desc" else { throw ManagerError(.badRequest, "must be asc or desc, got '\(order)'", field: "order") }
                let store = self.shell.store
                let rows = try await self.shell.blocking {
                    try store.tasks(state: state, after: after, limit: limit, workflow: wf, newestFirst: order == "desc", before: before)
                }
                return TaskList(tasks: await self.shell.read { $0.overlay(rows) })
            }
        }
        r.get("/v1/tasks/:id") { _, ctx in
            await self.respond { try await self.taskInfo(try taskID(ctx)) }
        }
        r.get("/v1/tasks/:id/logs") { req, ctx in
            do {
                let id = try taskID(ctx)
                try checkQuery(req, known: ["stream", "offset", "length", "tail", "wait"])
                let stream = req.uri.queryParameters.get("stream") ?? "stdout"
                var query: [String: String] = [:]
                for (k, v) in req.uri.queryParameters { query[String(k)] = String(v) }
                if let wait = query["wait"] { return try await self.waitingLogPage(id: id, stream: stream, query: query, wait: wait) }
                let info = try await self.taskInfo(id)
                guard let path = stream == "stderr" ? info.stderrPath : info.stdoutPath else { throw ManagerError(.notFound, "task \(id) has no logs yet") }
                return try await LogStreamer.response(path: path, stream: stream, id: id, query: query, ended: info.state.isTerminal)
            } catch {
                return await self.respond { () throws -> Int in throw error }
            }
        }
        r.post("/v1/tasks/resubmit") { req, _ in
            await self.respond {
                let body = try await req.body.collect(upTo: 1 << 20)
                let rq = try decodeBody(ResubmitRequest.self, body)
                guard rq.state.map({ $0.isTerminal }) ?? true else {
                    throw ManagerError(.badRequest, "only ended tasks can be resubmitted (done, failed, canceled)", field: "state")
                }
                let store = self.shell.store
                // The ended tasks and their specs, read on the work pool; the reactor gives the new ids.
                let items: [ResubmitItem] = try await self.shell.blocking {
                    var rows: [TaskRow] = []
                    if let ids = rq.ids {
                        guard ids.count <= 1_000_000 else { throw ManagerError(.tooLarge, "at most 1000000 ids", field: "ids") }
                        for id in ids {
                            guard let row = try store.task(id) else { throw ManagerError(.notFound, "no task \(id)", field: "ids") }
                            guard row.state.isTerminal else { throw ManagerError(.badRequest, "task \(id) has not ended (\(row.state.rawValue))", field: "ids") }
                            if rq.state == nil || row.state == rq.state { rows.append(row) }
                        }
                    } else {
                        var after: Int64 = 0
                        while true {
                            let page = try store.tasks(state: rq.state ?? .failed, after: after, limit: 10_000, workflow: rq.workflow)
                            rows += page
                            guard page.count == 10_000, let last = page.last else { break }
                            after = last.id
                        }
                    }
                    let specs = try store.specs(Set(rows.map(\.specID)))
                    return rows.compactMap { row in
                        guard let s = specs[row.specID] else { return nil }
                        return ResubmitItem(id: row.id, spec: row.arrayIndex.map { s.instantiated(index: $0) } ?? s)
                    }
                }
                guard case .submitted(let s) = try await self.call({ .resubmit(items, reply: $0) }) else { throw unexpected() }
                return ResubmitResponse(first: s.first, count: s.count, from: items.map(\.id).sorted())
            }
        }
        r.post("/v1/tasks/cancel") { req, _ in
            await self.respond {
                let body = try await req.body.collect(upTo: 64 << 20)
                let c = try decodeBody(CancelRequest.self, body)
                guard case .canceled(let ids) = try await self.call({ .cancel(c.ids, reply: $0) }) else { throw unexpected() }
                return CancelResponse(canceled: ids)
            }
        }
        r.post("/v1/tasks/:id/cancel") { _, ctx in
            await self.respond {
                let id = try taskID(ctx)
                guard case .canceled(let ids) = try await self.call({ .cancel([id], reply: $0) }) else { throw unexpected() }
                return CancelResponse(canceled: ids)
            }
        }
        r.post("/v1/workflows") { req, _ in
            await self.respond {
                let body = try await req.body.collect(upTo: 16 << 20)
                let w = try decodeBody(WorkflowSubmitRequest.self, body)
                guard case .workflow(let info) = try await self.call({ .submitWorkflow(w, reply: $0) }) else { throw unexpected() }
                return info
            }
        }
        r.get("/v1/workflows") { _, _ in await self.respond { WorkflowList(workflows: await self.shell.read { $0.workflowList() }) } }
        r.get("/v1/workflows/:id") { _, ctx in
            await self.respond {
                let id = try taskID(ctx)
                guard let w = await self.shell.read({ $0.workflowInfo(id) }) else { throw ManagerError(.notFound, "no workflow \(id)") }
                return w
            }
        }
        r.post("/v1/workflows/:id/retry") { _, ctx in
            await self.respond {
                let id = try taskID(ctx)
                guard case .workflow(let info) = try await self.call({ .retryWorkflow(id, reply: $0) }) else { throw unexpected() }
                return info
            }
        }
        r.get("/v1/agents") { _, _ in await self.respond { AgentList(agents: await self.shell.read { $0.agentList() }) } }
        r.post("/v1/agents/drain") { req, _ in
            await self.respond {
                let body = try await req.body.collect(upTo: 1 << 16)
                let drain = body.readableBytes == 0 ? PilotDrainRequest() : try decodeBody(PilotDrainRequest.self, body)
                try checkVersion(drain.v)
                guard case .draining(let n) = try await self.call({ .drainAgents(drain, reply: $0) }) else { throw unexpected() }
                return AgentDrainResponse(agents: n)
            }
        }
        r.post("/v1/token/rotate") { req, _ in
            await self.respond {
                let body = try await req.body.collect(upTo: 1 << 16)
                let rotate = body.readableBytes == 0 ? TokenRotateRequest() : try decodeBody(TokenRotateRequest.self, body)
                try checkVersion(rotate.v)
                let grace = rotate.grace ?? 600
                guard grace >= 0, grace <= 366 * 86_400 else {
                    throw ManagerError(.badRequest, "must be a number of seconds between 0 and 366 days", field: "grace")
                }
                guard let rotation = self.rotation else { throw ManagerError(.unavailable, "this manager cannot rotate its token") }
                let done = try await rotation.rotate(grace: grace, store: { token, reason in
                    guard case .stored = try await self.call({ .rotateToken(token: token, graceSeconds: grace, reason: reason, reply: $0) }) else {
                        throw unexpected()
                    }
                }, blocking: { work in try await self.shell.blocking(work) })
                self.log.notice("token rotated; the previous one \(done.graceUntil == nil ? "is refused" : "registers agents for \(grace) s more")")
                return TokenRotateResponse(previousValidUntil: done.graceUntil, agentsConnected: self.shell.channel.count)
            }
        }
        addPilotRoutes(to: r)
        addEventRoutes(to: r)
        addMetricsRoute(to: r)
        addDashboardRoutes(to: r)
        r.get("/v1/summary") { _, _ in
            await self.respond {
                if let s = self.shell.summary { return s }
                return await self.shell.read { $0.summary() }
            }
        }
        r.get("/v1/wait") { req, _ in
            await self.respond {
                try checkQuery(req, known: ["ids", "timeout"])
                let q = req.uri.queryParameters
                var timeout = 5.0
                if let s = q.get("timeout") {
                    // Not a silent 5 s for a misspelt value: the caller would wait far longer or shorter than asked.
                    guard let v = Double(s), !v.isNaN else { throw ManagerError(.badRequest, "'\(s)' is not a number of seconds", field: "timeout") }
                    timeout = v
                }
                var ids: [Int64] = []
                if let s = q.get("ids"), !s.isEmpty {
                    for part in s.split(separator: ",") {
                        guard let v = Int64(part) else { throw ManagerError(.badRequest, "'\(part)' is not a task id", field: "ids") }
                        ids.append(v)
                    }
                }
                let t = max(0, min(timeout.isFinite ? timeout : 0, 60))
                guard case .wait(var w, let uncounted) = try await self.call({ .wait(ids: ids, timeout: t, reply: $0) }) else { throw unexpected() }
                if !uncounted.isEmpty {
                    let store = self.shell.store
                    w.failed += try await self.shell.blocking { try store.countNotDone(uncounted) }
                }
                return w
            }
        }
        return r
    }

    /// An event whose reply is a value or a `ManagerError`.
    func call(_ make: (ReplyID) -> ManagerEvent) async throws -> ManagerReply {
        let r = await shell.request(make)
        if case .failed(let e) = r { throw e }
        return r
    }

    /// A task from memory if it is live, else from the store; with its spec, history and log paths.
    func taskInfo(_ id: Int64) async throws -> TaskInfo {
        let store = shell.store
        var info: TaskInfo
        var spec: TaskSpec?
        if let l = await shell.read({ $0.liveTaskInfo(id) }) {
            (info, spec) = l
        } else {
            let found: (TaskRow, TaskSpec?)? = try await shell.blocking {
                guard let row = try store.task(id) else { return nil }
                return (row, try store.spec(row.specID))
            }
            guard let (row, s) = found else { throw ManagerError(.notFound, "no task \(id)") }
            info = await shell.read { $0.info(row) }
            info.binding = row.binding
            info.result = row.result.map(JSONText.init)
            spec = s.map { s in row.arrayIndex.map { s.instantiated(index: $0) } ?? s }
        }
        info.spec = spec
        info.history = try await shell.blocking { try store.events(task: id) }.map {
            TaskEvent(at: $0.at, state: $0.state, attempt: $0.attempt, agent: $0.agent, reason: $0.reason)
        }
        let base = "\(shell.config.serverDir)/logs/\(id).\(info.attempt)"
        info.stdoutPath = base + ".out"
        info.stderrPath = base + ".err"
        return info
    }

    /// Runs a handler and turns every failure into a JSON error with the right status, so no input
    /// can take the server down or leave a client without an answer.
    func respond<T: Encodable>(raw: Bool = false, _ body: () async throws -> T) async -> Response {
        do {
            let value = try await body()
            if let data = value as? Data {
                return Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(data: data)))
            }
            let buf = try APICoding.encoder().encodeAsByteBuffer(value, allocator: ByteBufferAllocator())
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: buf))
        } catch let e as ManagerError {
            if e.code == .internal { log.error("\(e)") }
            return errorResponse(e)
        } catch let e as NIOTooManyBytesError {
            // What `collect(upTo:)` throws for a body over the route's limit: the client's fault.
            return errorResponse(ManagerError(.tooLarge, "request body exceeds the limit of \(e.maxBytes.map(String.init) ?? "?") bytes"))
        } catch let e as HTTPError {
            let code: ManagerError.Code = e.status == .contentTooLarge ? .tooLarge : .badRequest
            return errorResponse(ManagerError(code, e.body ?? "\(e.status)"))
        } catch let e as StoreError {
            log.error("store read failed: \(e)")
            return errorResponse(ManagerError(.internal, "store read failed: \(e)"))
        } catch {
            log.error("internal error: \(error)")
            return errorResponse(ManagerError(.internal, "\(error)"))
        }
    }

    func errorResponse(_ e: ManagerError) -> Response {
        let buf = (try? APICoding.encoder().encodeAsByteBuffer(ErrorEnvelope(error: e.body), allocator: ByteBufferAllocator()))
            ?? ByteBuffer(string: "{}")
        return Response(status: .init(code: e.status), headers: [.contentType: "application/json"], body: .init(byteBuffer: buf))
    }
}

func unexpected() -> ManagerError { ManagerError(.internal, "the manager answered with an unexpected reply") }

/// A request from a newer client than this manager is refused rather than half understood.
func checkVersion(_ v: Int?) throws(ManagerError) {
    if let v, v > WireVersion.current {
        throw ManagerError(.badRequest, "request version \(v) is newer than this manager's \(WireVersion.current)", field: "v")
    }
}

/// A query parameter the route does not know is refused naming it, as an unknown body key is: a
/// misspelt `limt=50` must not silently answer with the default 1000 tasks.
func checkQuery(_ req: Request, known: Set<String>) throws(ManagerError) {
    // The parsed parameters leave out a nameless one (`?=x`), so the raw query is read for those.
    for part in (req.uri.query ?? "").split(separator: "&") where part.hasPrefix("=") {
        throw ManagerError(.badRequest, "a query parameter without a name ('\(part.prefix(64))')", field: "query")
    }
    for (k, _) in req.uri.queryParameters where !known.contains(String(k)) {
        throw ManagerError(.badRequest, "unknown parameter '\(k)' (known: \(known.sorted().joined(separator: ", ")))", field: String(k))
    }
}

private func taskID(_ ctx: BasicRequestContext) throws -> Int64 {
    guard let s = ctx.parameters.get("id"), let id = Int64(s) else { throw ManagerError(.badRequest, "task id must be an integer", field: "id") }
    return id
}

struct AuthMiddleware<Context: RequestContext>: RouterMiddleware {
    let tokens: AccessTokens
    var metricsToken: String? = nil
    let log: Logger
    let sessions: DashboardSessions

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if request.uri.path == "/v1/health" || request.uri.path == "/login" { return try await next(request, context) }
        let header = request.headers[.authorization] ?? ""
        let given = header.hasPrefix("Bearer ") ? String(header.dropFirst(7)) : ""
        if request.uri.path == APIServer.metricsPath, request.method == .get, let m = metricsToken, constantTimeEqual(given, m) {
            return try await next(request, context)
        }
        // A dashboard session reads; only the bearer token changes anything.
        let readsWithSession = (request.method == .get || request.method == .head)
            && DashboardSessions.session(fromCookieHeader: request.headers[.cookie]).map { sessions.isValid($0) } == true
        guard readsWithSession || tokens.acceptsAPI(given) else {
            log.warning("401 for \(request.method) \(request.uri.path): \(header.isEmpty ? "no token" : "wrong token")")
            if request.uri.path == "/" {
                return APIServer.html(status: .unauthorized, DashboardPage.refused(
                    "The dashboard needs a login: run <code>pilot dashboard</code> and open the URL it prints."))
            }
            let body = ByteBuffer(string: "{\"error\":{\"code\":\"unauthorized\",\"message\":\"missing or wrong token\"}}\n")
            return Response(status: .unauthorized, headers: [.contentType: "application/json"], body: .init(byteBuffer: body))
        }
        return try await next(request, context)
    }
}
