import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import PilotProtocol

/// The agent channel: one long-lived TCP connection per agent, length-prefixed JSON frames.
/// The first frame must be a hello carrying the token; anything else closes the connection.
final class AgentServer: Sendable {
    let core: ManagerCore
    let token: String
    let log: Logger
    /// Unauthenticated peers get this long to authenticate, and only this many at once may wait;
    /// with frames of at most `WireVersion.maxPreAuthFrameBytes` until then, they can make the
    /// manager hold a few MB at most, whatever they send.
    static let helloTimeout: TimeAmount = .seconds(5)
    static let maxUnauthenticated = 64
    let unauthenticated = NIOLockedValueBox(0)

    init(core: ManagerCore, token: String, logger: Logger) {
        self.core = core
        self.token = token
        log = logger
    }

    func bind(host: String, port: Int, group: any EventLoopGroup) async throws -> any Channel {
        try await ServerBootstrap(group: group, childGroup: core.eventLoop)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                // Agent connections live on the core's event loop, which is the core's executor:
                // each frame is handled synchronously where it arrives.
                let admitted = self.unauthenticated.withLockedValue { n in
                    guard n < Self.maxUnauthenticated else { return false }
                    n += 1
                    return true
                }
                guard admitted else {
                    return channel.eventLoop.makeFailedFuture(FrameError.tooManyUnauthenticated(limit: Self.maxUnauthenticated))
                }
                return channel.eventLoop.makeCompletedFuture {
                    let conn = AgentConnection(server: self, channel: channel)
                    let core = self.core
                    try channel.pipeline.syncOperations.addFraming(
                        limit: conn.limit,
                        onFrame: { frame in core.assumeIsolated { conn.received(frame, core: $0) } },
                        onClose: { core.assumeIsolated { conn.closed(core: $0) } })
                    channel.eventLoop.scheduleTask(in: Self.helloTimeout) { [greeted = conn.greeted] in
                        if !greeted.withLockedValue({ $0 }) { channel.close(promise: nil) }
                    }
                }
            }
            .bind(host: host, port: port).get()
    }
}

/// One agent connection's state. Unchecked: it is only touched from the handler's callbacks, which
/// run on the core's event loop under the core's isolation.
final class AgentConnection: @unchecked Sendable {
    let server: AgentServer
    let link: AgentLink
    let peer: String
    let greeted = NIOLockedValueBox(false)
    /// Small until the peer has shown the token (an `AgentAuth` frame or the hello).
    let limit = FrameLimit(WireVersion.maxPreAuthFrameBytes)
    var agentID: Int?
    var over = false
    /// Counted in `server.unauthenticated` until authenticated or closed.
    var pending = true

    init(server: AgentServer, channel: any Channel) {
        self.server = server
        link = AgentLink(channel: channel)
        peer = channel.remoteAddress?.description ?? "?"
    }

    /// The first frame must be a hello carrying the token; anything else closes the connection.
    func received(_ frame: ByteBuffer, core: isolated ManagerCore) {
        guard !over else { return }
        let log = server.log
        if pending, let auth = try? JSONCoding.decode(AgentAuth.self, from: frame) {
            guard constantTimeEqual(auth.auth, server.token) else {
                log.warning("refused agent connection from \(peer): wrong or missing token (401)")
                link.send(.error(APIErrorBody(code: "unauthorized", message: "wrong or missing token")))
                refuse()
                return
            }
            authenticated()
            return
        }
        let env: AgentEnvelope
        do { env = try JSONCoding.decodeAgentFrame(frame) } catch {
            let d = JSONCoding.describe(error)
            log.warning("bad agent message from \(peer): \(d.field.map { "\($0): " } ?? "")\(d.message)")
            link.send(.error(APIErrorBody(code: "bad_message", message: d.message, field: d.field)))
            if agentID == nil { refuse() }
            return
        }
        guard env.v <= WireVersion.current else {
            link.send(.error(APIErrorBody(code: "bad_version", message: "message version \(env.v) is newer than the manager's \(WireVersion.current)", field: "v")))
            refuse()
            return
        }
        if let id = agentID {
            core.handle(env, from: id)
            return
        }
        guard env.type == .hello, let hello = env.hello else {
            link.send(.error(APIErrorBody(code: "bad_message", message: "the first message must be a hello", field: "type")))
            refuse()
            return
        }
        guard constantTimeEqual(hello.token, server.token) else {
            // Never log the token itself.
            log.warning("refused agent connection from \(peer): wrong or missing token (401)")
            link.send(.error(APIErrorBody(code: "unauthorized", message: "wrong or missing token")))
            refuse()
            return
        }
        do {
            let welcome = try core.register(hello, link: link)
            greeted.withLockedValue { $0 = true }
            authenticated()
            agentID = welcome.agentID
        } catch {
            log.warning("refused agent from \(peer): \(error)")
            link.send(.error(error.body))
            refuse()
        }
    }

    /// The peer showed the token: full-size frames from now on, and it no longer counts against
    /// the cap on unauthenticated connections.
    private func authenticated() {
        limit.raise(to: WireVersion.maxFrameBytes)
        leavePending()
    }

    private func leavePending() {
        guard pending else { return }
        pending = false
        server.unauthenticated.withLockedValue { $0 -= 1 }
    }

    /// Frames already read behind a refused one are dropped, not handled.
    private func refuse() {
        over = true
        link.close()
    }

    func closed(core: isolated ManagerCore) {
        over = true
        leavePending()
        if let id = agentID { core.disconnected(id, link: link) }
        agentID = nil
    }
}

/// Compares secrets without leaking their common prefix length through timing.
func constantTimeEqual(_ a: String, _ b: String) -> Bool {
    let x = Array(a.utf8), y = Array(b.utf8)
    var diff = UInt8(x.count == y.count ? 0 : 1)
    for i in 0..<max(x.count, y.count) { diff |= (i < x.count ? x[i] : 0) ^ (i < y.count ? y[i] : 0) }
    return diff == 0
}
