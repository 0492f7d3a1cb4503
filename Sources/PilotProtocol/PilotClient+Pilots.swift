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
}
