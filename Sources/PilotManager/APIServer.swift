import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOFoundationCompat
import PilotCore
import PilotProtocol

/// The client API: HTTP/JSON under `/v1`, every route but `/v1/health` behind the bearer token.
struct APIServer {
    let core: ManagerCore
    let token: String
    let log: Logger

    func router() -> Router<BasicRequestContext> {
        let r = Router(context: BasicRequestContext.self)
        r.add(middleware: AuthMiddleware(token: token, log: log))
        r.get("/v1/health") { _, _ in Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "{\"ok\":true}\n"))) }
        r.post("/v1/tasks") { req, _ in
            await self.respond {
                let body = try await req.body.collect(upTo: WireVersion.maxAPIBodyBytes)
                let sub = try decode(SubmitRequest.self, body)
                return try await self.core.submit(sub)
            }
        }
        r.get("/v1/tasks") { req, _ in
            await self.respond {
                let q = req.uri.queryParameters
                let state = try q.get("state").map { s -> TaskState in
                    guard let st = TaskState(rawValue: String(s)) else {
                        throw ManagerError(.badRequest, "unknown state '\(s)' (one of \(TaskState.allCases.map(\.rawValue).joined(separator: ", ")))", field: "state")
                    }
                    return st
                }
                let after = Int64(q.get("after") ?? "0") ?? 0
                let limit = Int(q.get("limit") ?? "1000") ?? 1000
                let wf = q.get("workflow").flatMap { Int64($0) }
                return TaskList(tasks: try await self.core.list(state: state, after: after, limit: limit, workflow: wf))
            }
        }
        r.get("/v1/tasks/:id") { req, ctx in
            await self.respond { try await self.core.taskInfo(try taskID(ctx)) }
        }
        r.get("/v1/tasks/:id/logs") { req, ctx in
            do {
                let id = try taskID(ctx)
                let info = try await self.core.taskInfo(id)
                let stream = req.uri.queryParameters.get("stream") ?? "stdout"
                guard let path = stream == "stderr" ? info.stderrPath : info.stdoutPath else { throw ManagerError(.notFound, "task \(id) has no logs yet") }
                var query: [String: String] = [:]
                for (k, v) in req.uri.queryParameters { query[String(k)] = String(v) }
                return try await LogStreamer.response(path: path, stream: stream, id: id, query: query)
            } catch {
                return await self.respond { () throws -> Int in throw error }
            }
        }
        r.post("/v1/tasks/cancel") { req, _ in
            await self.respond {
                let body = try await req.body.collect(upTo: 64 << 20)
                let c = try decode(CancelRequest.self, body)
                return CancelResponse(canceled: await self.core.cancel(c.ids))
            }
        }
        r.post("/v1/tasks/:id/cancel") { _, ctx in
            await self.respond { CancelResponse(canceled: await self.core.cancel([try taskID(ctx)])) }
        }
        r.post("/v1/workflows") { req, _ in
            await self.respond {
                let body = try await req.body.collect(upTo: 16 << 20)
                return try await self.core.submitWorkflow(try decode(WorkflowSubmitRequest.self, body))
            }
        }
        r.get("/v1/workflows") { _, _ in await self.respond { WorkflowList(workflows: await self.core.workflowList()) } }
        r.get("/v1/workflows/:id") { _, ctx in
            await self.respond {
                let id = try taskID(ctx)
                guard let w = await self.core.workflowInfo(id) else { throw ManagerError(.notFound, "no workflow \(id)") }
                return w
            }
        }
        r.post("/v1/workflows/:id/retry") { _, ctx in await self.respond { try await self.core.retryWorkflow(try taskID(ctx)) } }
        r.get("/v1/agents") { _, _ in await self.respond { AgentList(agents: await self.core.agentList()) } }
        addPilotRoutes(to: r)
        r.get("/v1/summary") { _, _ in await self.respond { await self.core.summary() } }
        r.get("/v1/wait") { req, _ in
            await self.respond {
                let q = req.uri.queryParameters
                let timeout = Double(q.get("timeout") ?? "5") ?? 5
                var ids: [Int64] = []
                if let s = q.get("ids"), !s.isEmpty {
                    for part in s.split(separator: ",") {
                        guard let v = Int64(part) else { throw ManagerError(.badRequest, "'\(part)' is not a task id", field: "ids") }
                        ids.append(v)
                    }
                }
                return await self.core.wait(ids: ids, timeout: max(0, min(timeout, 60)))
            }
        }
        return r
    }

    /// Runs a handler and turns every failure into a JSON error with the right status, so no input
    /// can take the server down or leave a client without an answer.
    func respond<T: Encodable>(raw: Bool = false, _ body: () async throws -> T) async -> Response {
        do {
            let value = try await body()
            if let data = value as? Data {
                return Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(data: data)))
            }
            let buf = try JSONCoding.encoder().encodeAsByteBuffer(value, allocator: ByteBufferAllocator())
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
        } catch {
            log.error("internal error: \(error)")
            return errorResponse(ManagerError(.internal, "\(error)"))
        }
    }

    func errorResponse(_ e: ManagerError) -> Response {
        let buf = (try? JSONCoding.encoder().encodeAsByteBuffer(ErrorEnvelope(error: e.body), allocator: ByteBufferAllocator()))
            ?? ByteBuffer(string: "{}")
        return Response(status: .init(code: e.status), headers: [.contentType: "application/json"], body: .init(byteBuffer: buf))
    }
}

private func taskID(_ ctx: BasicRequestContext) throws -> Int64 {
    guard let s = ctx.parameters.get("id"), let id = Int64(s) else { throw ManagerError(.badRequest, "task id must be an integer", field: "id") }
    return id
}

private func decode<T: Decodable>(_ t: T.Type, _ buf: ByteBuffer) throws -> T {
    do { return try JSONCoding.decode(t, from: buf) } catch {
        let d = JSONCoding.describe(error)
        throw ManagerError(.badRequest, d.message, field: d.field)
    }
}

struct AuthMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: String
    let log: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if request.uri.path == "/v1/health" { return try await next(request, context) }
        let header = request.headers[.authorization] ?? ""
        let given = header.hasPrefix("Bearer ") ? String(header.dropFirst(7)) : ""
        guard constantTimeEqual(given, token) else {
            log.warning("401 for \(request.method) \(request.uri.path): \(header.isEmpty ? "no token" : "wrong token")")
            let body = ByteBuffer(string: "{\"error\":{\"code\":\"unauthorized\",\"message\":\"missing or wrong token\"}}\n")
            return Response(status: .unauthorized, headers: [.contentType: "application/json"], body: .init(byteBuffer: body))
        }
        return try await next(request, context)
    }
}
