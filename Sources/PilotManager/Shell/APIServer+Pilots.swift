import Foundation
import NIOFoundationCompat
import PilotCore
import Hummingbird
import PilotProtocol

extension APIServer {
    /// `POST /v1/pilots`, `GET /v1/pilots`, `GET /v1/pilots/:id`, `POST /v1/pilots/:id/cancel`, `POST /v1/pilots/:id/drain`.
    func addPilotRoutes(to r: Router<BasicRequestContext>) {
        r.post("/v1/pilots") { req, _ in
            await self.respond {
                let body = try await req.body.collect(upTo: 1 << 20)
                let pilot = try decodeBody(PilotSubmitRequest.self, body)
                try checkVersion(pilot.v)
                return try await self.submitPilot(pilot)
            }
        }
        r.get("/v1/pilots") { _, _ in await self.respond { PilotList(pilots: await self.shell.read { $0.pilotList() }) } }
        addAllocRoutes(to: r)
        r.get("/v1/pilots/:id") { _, ctx in
            await self.respond {
                let id = try pilotID(ctx)
                return try await self.shell.read { r in Result { () throws(ManagerError) in try r.pilotInfo(id) } }.get()
            }
        }
        r.post("/v1/pilots/:id/cancel") { _, ctx in
            await self.respond {
                let id = try pilotID(ctx)
                guard case .pilot(let p) = try await self.call({ .cancelPilot(id, reply: $0) }) else { throw unexpected() }
                return p
            }
        }
        r.post("/v1/pilots/:id/drain") { req, ctx in
            await self.respond {
                let body = try await req.body.collect(upTo: 1 << 16)
                let drain = body.readableBytes == 0 ? PilotDrainRequest() : try decodeBody(PilotDrainRequest.self, body)
                try checkVersion(drain.v)
                let id = try pilotID(ctx)
                guard case .pilot(let p) = try await self.call({ .drainPilot(id, drain, reply: $0) }) else { throw unexpected() }
                return p
            }
        }
    }

    /// The profile is loaded and the script rendered on the Slurm thread before anything is stored,
    /// so a bad profile or override is refused at once; a dry run stops there.
    func submitPilot(_ req: PilotSubmitRequest) async throws -> PilotSubmitResponse {
        let config = shell.config
        if req.dryRun == true {
            let next = await shell.read { $0.nextPilotID }
            let job = try await shell.slurm.run { () throws(ManagerError) in
                try PilotJob.prepare(req.profile, overrides: req.overrides, pilot: next, config: config, render: false)
            }
            return PilotSubmitResponse(script: job.script)
        }
        guard case .pilotID(let id) = try await call({ .reservePilot(reply: $0) }) else { throw unexpected() }
        let job = try await shell.slurm.run { () throws(ManagerError) in
            try PilotJob.prepare(req.profile, overrides: req.overrides, pilot: id, config: config)
        }
        let prepared = job.prepared(pilot: id, overrides: req.overrides)
        // The reply waits for Slurm's answer: the pilot is `pending` with its job id, or the error says why not.
        guard case .pilot(let info) = try await call({ .submitPilot(prepared, reply: $0) }) else { throw unexpected() }
        return PilotSubmitResponse(pilot: info)
    }
}

/// The path segment arrives percent-encoded: the id, and its 64-character limit, are the decoded text.
private func pilotID(_ ctx: BasicRequestContext) throws(ManagerError) -> String {
    guard let raw = ctx.parameters.get("id"), !raw.isEmpty else { throw ManagerError(.badRequest, "missing pilot id", field: "id") }
    let s = raw.removingPercentEncoding ?? raw
    guard !s.isEmpty, s.count <= 64 else { throw ManagerError(.badRequest, "a pilot id has 1 to 64 characters", field: "id") }
    return s
}

func decodeBody<T: APIRequestBody>(_ t: T.Type, _ buf: ByteBuffer) throws -> T {
    do { return try APICoding.decodeRequest(t, from: Data(buffer: buf, byteTransferStrategy: .noCopy)) } catch let e as APIErrorBody {
        throw ManagerError(.badRequest, e.message, field: e.field)
    } catch let e as CoreError {
        throw ManagerError(.badRequest, e.message, field: e.field)
    } catch {
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
                var q = try decodeBody(AllocQueueRequest.self, body)
                try checkVersion(q.v)
                let config = self.shell.config
                let given = q
                // Refuse a queue that could never submit, now rather than on the first backlog.
                let job = try await self.shell.slurm.run { () throws(ManagerError) in
                    try PilotJob.prepare(given.profile, overrides: given.overrides, pilot: "p0", config: config, render: false)
                }
                q.profile = job.path
                let req = q
                let shape = job.shape
                guard case .queue(let info) = try await self.call({ .addAllocQueue(req, shape: shape, reply: $0) }) else { throw unexpected() }
                return info
            }
        }
        r.get("/v1/allocs") { _, _ in await self.respond { AllocQueueList(queues: await self.shell.read { $0.allocQueueList() }) } }
        r.post("/v1/allocs/:id/remove") { _, ctx in
            await self.respond {
                let id = try queueID(ctx)
                guard case .queue(let info) = try await self.call({ .removeAllocQueue(id, reply: $0) }) else { throw unexpected() }
                return info
            }
        }
        r.post("/v1/allocs/:id/resume") { _, ctx in
            await self.respond {
                let id = try queueID(ctx)
                guard case .queue(let info) = try await self.call({ .resumeAllocQueue(id, reply: $0) }) else { throw unexpected() }
                return info
            }
        }
    }
}

private func queueID(_ ctx: BasicRequestContext) throws(ManagerError) -> Int {
    guard let s = ctx.parameters.get("id"), let id = Int(s) else { throw ManagerError(.badRequest, "queue id must be an integer", field: "id") }
    return id
}
