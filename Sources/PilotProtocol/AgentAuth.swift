/// An optional first frame on the agent channel carrying only the token: once the manager has
/// checked it, the connection may carry frames up to `WireVersion.maxFrameBytes`. Agents send it
/// when their hello is larger than `WireVersion.maxPreAuthFrameBytes`; otherwise the hello itself
/// authenticates. JSON: `{"auth": TOKEN, "v": 1}`.
public struct AgentAuth: Sendable, Codable, Equatable {
    public var v: Int = WireVersion.current
    public var auth: String
    public init(token: String) { auth = token }
}
