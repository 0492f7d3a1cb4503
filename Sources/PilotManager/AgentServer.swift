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
    static let helloTimeout: TimeAmount = .seconds(10)

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
                channel.pipeline.addFraming().map { stream in
                    Task { await self.serve(channel, frames: stream, core: self.core) }
                }
            }
            .bind(host: host, port: port).get()
    }

    /// Runs on the core's executor: a frame is decoded and handled where it arrived.
    private func serve(_ channel: any Channel, frames: AsyncStream<ByteBuffer>, core: isolated ManagerCore) async {
        let link = AgentLink(channel: channel)
        let peer = channel.remoteAddress?.description ?? "?"
        let greeted = NIOLockedValueBox(false)
        channel.eventLoop.scheduleTask(in: Self.helloTimeout) {
            if !greeted.withLockedValue({ $0 }) { channel.close(promise: nil) }
        }
        var agentID: Int?
        for await frame in frames {
            let env: AgentEnvelope
            do { env = try JSONCoding.decodeAgentFrame(frame) } catch {
                let d = JSONCoding.describe(error)
                log.warning("bad agent message from \(peer): \(d.field.map { "\($0): " } ?? "")\(d.message)")
                link.send(.error(APIErrorBody(code: "bad_message", message: d.message, field: d.field)))
                if agentID == nil { link.close(); return }
                continue
            }
            guard env.v <= WireVersion.current else {
                link.send(.error(APIErrorBody(code: "bad_version", message: "message version \(env.v) is newer than the manager's \(WireVersion.current)", field: "v")))
                link.close()
                return
            }
            if let id = agentID {
                core.handle(env, from: id)
                continue
            }
            guard env.type == .hello, let hello = env.hello else {
                link.send(.error(APIErrorBody(code: "bad_message", message: "the first message must be a hello", field: "type")))
                link.close()
                return
            }
            guard constantTimeEqual(hello.token, token) else {
                // Never log the token itself.
                log.warning("refused agent connection from \(peer): wrong or missing token (401)")
                link.send(.error(APIErrorBody(code: "unauthorized", message: "wrong or missing token")))
                link.close()
                return
            }
            do {
                let welcome = try core.register(hello, link: link)
                greeted.withLockedValue { $0 = true }
                agentID = welcome.agentID
            } catch {
                log.warning("refused agent from \(peer): \(error)")
                link.send(.error(error.body))
                link.close()
                return
            }
        }
        if let id = agentID { core.disconnected(id, link: link) }
    }
}

/// Compares secrets without leaking their common prefix length through timing.
func constantTimeEqual(_ a: String, _ b: String) -> Bool {
    let x = Array(a.utf8), y = Array(b.utf8)
    var diff = UInt8(x.count == y.count ? 0 : 1)
    for i in 0..<max(x.count, y.count) { diff |= (i < x.count ? x[i] : 0) ^ (i < y.count ? y[i] : 0) }
    return diff == 0
}
