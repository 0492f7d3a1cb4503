import Foundation

extension PilotClient {
    public func submitPilot(_ req: PilotSubmitRequest) async throws -> PilotSubmitResponse {
        try await call("POST", "/v1/pilots", body: req)
    }
    public func pilots() async throws -> [PilotInfo] { let l: PilotList = try await call("GET", "/v1/pilots"); return l.pilots }
    public func pilot(_ id: String) async throws -> PilotInfo { try await call("GET", "/v1/pilots/\(id)") }
    public func cancelPilot(_ id: String) async throws -> PilotInfo {
        try await call("POST", "/v1/pilots/\(id)/cancel", body: Optional<String>.none)
    }
    public func drainPilot(_ id: String, _ req: PilotDrainRequest = PilotDrainRequest()) async throws -> PilotInfo {
        try await call("POST", "/v1/pilots/\(id)/drain", body: req)
    }
}

extension PilotClient {
    public func addAllocQueue(_ req: AllocQueueRequest) async throws -> AllocQueueInfo { try await call("POST", "/v1/allocs", body: req) }
    public func allocQueues() async throws -> [AllocQueueInfo] { let l: AllocQueueList = try await call("GET", "/v1/allocs"); return l.queues }
    public func removeAllocQueue(_ id: Int) async throws -> AllocQueueInfo {
        try await call("POST", "/v1/allocs/\(id)/remove", body: Optional<String>.none)
    }
    public func resumeAllocQueue(_ id: Int) async throws -> AllocQueueInfo {
        try await call("POST", "/v1/allocs/\(id)/resume", body: Optional<String>.none)
    }
}

extension PilotClient {
    /// Replaces the manager's token (`access.json` is rewritten); connected agents stay connected.
    /// A client made from a server directory switches to the new token by itself.
    public func rotateToken(grace: Double? = nil) async throws -> TokenRotateResponse {
        try await call("POST", "/v1/token/rotate", body: TokenRotateRequest(grace: grace))
    }
}
