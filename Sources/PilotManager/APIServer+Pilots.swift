import Hummingbird
import PilotProtocol

extension APIServer {
    /// `POST /v1/pilots`, `GET /v1/pilots`, `GET /v1/pilots/:id`, `POST /v1/pilots/:id/cancel`, `POST /v1/pilots/:id/drain`.
    func addPilotRoutes(to r: Router<BasicRequestContext>) {
        r.post("/v1/pilots") { req, _ in
            await self.respond {
                let body = try await req.body.collect(upTo: 1 << 20)
                let sub = try decodeBody(PilotSubmitRequest.self, body)
                return try await self.core.submitPilot(sub)
            }
        }
        r.get("/v1/pilots") { _, _ in await self.respond { PilotList(pilots: await self.core.pilotList()) } }
        addAllocRoutes(to: r)
        r.get("/v1/pilots/:id") { _, ctx in
            await self.respond { try await self.core.pilotInfo(try pilotID(ctx)) }
        }
        r.post("/v1/pilots/:id/cancel") { _, ctx in
            await self.respond { try await self.core.cancelPilot(try pilotID(ctx)) }
        }
        r.post("/v1/pilots/:id/drain") { req, ctx in
            await self.respond {
                let body = try await req.body.collect(upTo: 1 << 16)
                let drain = body.readableBytes == 0 ? PilotDrainRequest() : try decodeBody(PilotDrainRequest.self, body)
                return try await self.core.drainPilot(try pilotID(ctx), drain)
            }
        }
    }
}

private func pilotID(_ ctx: BasicRequestContext) throws(ManagerError) -> String {
    guard let s = ctx.parameters.get("id"), !s.isEmpty, s.count <= 64 else { throw ManagerError(.badRequest, "missing pilot id", field: "id") }
    return s
}

func decodeBody<T: Decodable>(_ t: T.Type, _ buf: ByteBuffer) throws -> T {
    do { return try JSONCoding.decode(t, from: buf) } catch {
        let d = JSONCoding.describe(error)
        throw ManagerError(.badRequest, d.message, field: d.field)
    }
}

extension APIServer {
    /// `POST /v1/allocs`, `GET /v1/allocs`, `POST /v1/allocs/:id/remove`, `POST /v1/allocs/:id/resume`.
    func addAllocRoutes(to r: Router<BasicRequestContext>) {
        r.post("/v1/allocs") { req, _ in
            await self.respond {
                let body = try await req.body.collect(upTo: 1 << 20)
                return try await self.core.addAllocQueue(try decodeBody(AllocQueueRequest.self, body))
            }
        }
        r.get("/v1/allocs") { _, _ in await self.respond { AllocQueueList(queues: await self.core.allocQueueList()) } }
        r.post("/v1/allocs/:id/remove") { _, ctx in await self.respond { try await self.core.removeAllocQueue(try queueID(ctx)) } }
        r.post("/v1/allocs/:id/resume") { _, ctx in await self.respond { try await self.core.resumeAllocQueue(try queueID(ctx)) } }
    }
}

private func queueID(_ ctx: BasicRequestContext) throws(ManagerError) -> Int {
    guard let s = ctx.parameters.get("id"), let id = Int(s) else { throw ManagerError(.badRequest, "queue id must be an integer", field: "id") }
    return id
}
