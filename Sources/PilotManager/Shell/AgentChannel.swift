import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import PilotCore
import PilotProtocol

/// The agent channel: one long-lived TCP connection per agent, length-prefixed frames (JSON, or
/// binary per-task frames for agents that read them). It owns framing, authentication and
/// encoding; what the frames mean is the reactor's business.
///
/// Frames are decoded on the connection's event loop and posted to the reactor's inbox; messages
/// from the reactor are encoded here, on the store writer's thread, once their batch is durable.
public final class AgentChannel: Sendable {
    let log: Logger
    private let connections = NIOLockedValueBox<[ConnectionID: Connection]>([:])
    private let nextID = NIOLockedValueBox<ConnectionID>(1)
    /// Unauthenticated peers get this long to authenticate, and only this many at once may wait;
    /// with frames of at most `WireVersion.maxPreAuthFrameBytes` until then, they can make the
    /// manager hold a few MB at most, whatever they send.
    static let helloTimeout: TimeAmount = .seconds(5)
    static let maxUnauthenticated = 64
    let unauthenticated = NIOLockedValueBox(0)
    /// Bound on the templates one agent connection accumulates before the agent is told to reset.
    static let maxTemplatesPerConnection = 1024

    /// What the channel keeps per connection: the socket, and how to encode for it.
    struct Connection: Sendable {
        let channel: any Channel
        var encoding = Encoding()
    }

    /// How one connection reads: binary frames, template references, and the templates it has.
    struct Encoding: Sendable {
        var binary = false
        /// Every assignment in binary, acknowledgements riding on full ones too.
        var binaryAssign = false
        var templates = false
        /// Templates sent over this connection; the agent forgets them when it reconnects.
        var sentTemplates: Set<Int64> = []
    }

    init(logger: Logger) { log = logger }

    /// `tls`: the manager's certificate and key; nil (`--insecure`): plain TCP, token in clear.
    func bind(host: String, port: Int, group: any EventLoopGroup, tokens: AccessTokens, tls: NIOSSLContext?,
              inbox: EventInbox) async throws -> any Channel {
        try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                let admitted = self.unauthenticated.withLockedValue { n in
                    guard n < Self.maxUnauthenticated else { return false }
                    n += 1
                    return true
                }
                guard admitted else {
                    return channel.eventLoop.makeFailedFuture(FrameError.tooManyUnauthenticated(limit: Self.maxUnauthenticated))
                }
                return channel.eventLoop.makeCompletedFuture {
                    // TLS first: the hello and its token travel inside it. A handshake that does not
                    // finish counts against the same hello timeout as a silent peer.
                    if let tls { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls)) }
                    let id = self.register(channel)
                    let conn = AgentConnectionHandler(channel: self, id: id, tokens: tokens, inbox: inbox,
                                                      peer: channel.remoteAddress?.description ?? "?")
                    try channel.pipeline.syncOperations.addFraming(
                        limit: conn.limit,
                        onFrame: { frame in conn.received(frame) },
                        onClose: { conn.closed() })
                    channel.eventLoop.scheduleTask(in: Self.helloTimeout) { [greeted = conn.greeted] in
                        if !greeted.withLockedValue({ $0 }) { channel.close(promise: nil) }
                    }
                }
            }
            .bind(host: host, port: port).get()
    }

    private func register(_ channel: any Channel) -> ConnectionID {
        let id = nextID.withLockedValue { n in defer { n += 1 }; return n }
        connections.withLockedValue { $0[id] = Connection(channel: channel) }
        return id
    }

    func configure(_ id: ConnectionID, binary: Bool, binaryAssign: Bool, templates: Bool) {
        connections.withLockedValue { c in
            c[id]?.encoding = Encoding(binary: binary, binaryAssign: binary && binaryAssign, templates: templates)
        }
    }

    func forget(_ id: ConnectionID) { _ = connections.withLockedValue { $0.removeValue(forKey: id) } }

    var count: Int { connections.withLockedValue { $0.count } }

    func close(_ id: ConnectionID) {
        connections.withLockedValue { $0[id] }?.channel.close(promise: nil)
    }

    /// Writes a raw envelope, encoded for the connection.
    func write(_ env: ManagerEnvelope, to id: ConnectionID) {
        guard let c = connections.withLockedValue({ $0[id] }) else { return }
        Self.write(env, on: c.channel, encoding: c.encoding)
    }

    static func write(_ env: ManagerEnvelope, on channel: any Channel, encoding: Encoding) {
        guard let buf = try? JSONCoding.frame(env, binary: encoding.binary, assignments: encoding.binaryAssign,
                                              allocator: channel.allocator) else { return }
        channel.writeAndFlush(buf, promise: nil)
    }

    /// Encodes one message from the reactor. Array members go to agents that take templates as
    /// references, their template once per connection; acknowledgements ride with them.
    func send(_ message: AgentMessage, to id: ConnectionID) {
        switch message {
        case .welcome(let w): write(.welcome(w), to: id)
        case .drain(let d): write(.drain(d), to: id)
        case .error(let e): write(.error(e), to: id)
        case .tasks(let assign, let cancel, let ack):
            let frames: [ManagerEnvelope]? = connections.withLockedValue { conns -> [ManagerEnvelope]? in
                guard var c = conns[id] else { return nil }
                let out = Self.encode(assign: assign, cancel: cancel, ack: ack, encoding: &c.encoding)
                conns[id] = c
                return out
            }
            guard let frames, let c = connections.withLockedValue({ $0[id] }) else { return }
            for f in frames { Self.write(f, on: c.channel, encoding: c.encoding) }
        }
    }

    static func encode(assign: [Assignment], cancel: [TaskKey], ack: [TaskKey], encoding c: inout Encoding) -> [ManagerEnvelope] {
        var full: [TaskAssignment] = []
        var refs: [AssignmentRef] = []
        var templates: [Int64: TaskSpec] = [:]
        var used: [Int64: TaskSpec] = [:]
        var reset = false
        for a in assign {
            guard c.templates, let index = a.arrayIndex, a.binding.placements.count == 1 else { full.append(a.full); continue }
            used[a.specID] = a.template
            if c.sentTemplates.insert(a.specID).inserted {
                if c.sentTemplates.count > maxTemplatesPerConnection {
                    c.sentTemplates = [a.specID]
                    reset = true
                    // Templates already referenced in this frame must travel again after the reset.
                    templates = used
                    for id in templates.keys { c.sentTemplates.insert(id) }
                }
                templates[a.specID] = a.template
            }
            refs.append(AssignmentRef(key: a.key, template: a.specID, index: index, placement: a.binding.placements[0], qpu: a.binding.qpu))
        }
        var frames: [ManagerEnvelope] = []
        var acked = false
        if !full.isEmpty {
            var env = ManagerEnvelope.assign(full)
            // Only agents that read every assignment in binary also read acknowledgements here.
            if c.binaryAssign, !ack.isEmpty {
                env.ack = ack
                acked = true
            }
            frames.append(env)
        }
        if !refs.isEmpty {
            let t = templates.isEmpty && !reset ? nil : TemplateBatch(reset: reset, specs: templates)
            // One frame instead of two: acknowledgements travel with the assignments.
            frames.append(.assignRefs(refs, templates: t, ack: ack.isEmpty || acked ? nil : ack))
            acked = true
        }
        if !cancel.isEmpty { frames.append(.cancel(cancel)) }
        if !ack.isEmpty && !acked { frames.append(.ack(ack)) }
        return frames
    }
}

/// One connection's reading side, on its event loop: the first frame must be a hello carrying the
/// token; anything else closes the connection. Later frames go to the reactor as they are.
final class AgentConnectionHandler: @unchecked Sendable {
    let channel: AgentChannel
    let id: ConnectionID
    let tokens: AccessTokens
    let inbox: EventInbox
    let peer: String
    let greeted = NIOLockedValueBox(false)
    /// Small until the peer has shown the token (an `AgentAuth` frame or the hello).
    let limit = FrameLimit(WireVersion.maxPreAuthFrameBytes)
    private var hello = false
    private var over = false
    /// Counted in `channel.unauthenticated` until authenticated or closed.
    private var pending = true

    init(channel: AgentChannel, id: ConnectionID, tokens: AccessTokens, inbox: EventInbox, peer: String) {
        self.channel = channel
        self.id = id
        self.tokens = tokens
        self.inbox = inbox
        self.peer = peer
    }

    func received(_ frame: ByteBuffer) {
        guard !over else { return }
        let log = channel.log
        if pending, let auth = try? JSONCoding.decode(AgentAuth.self, from: frame) {
            guard tokens.acceptsAgent(auth.auth) else {
                log.warning("refused agent connection from \(peer): wrong or missing token (401)")
                channel.write(.error(APIErrorBody(code: "unauthorized", message: "wrong or missing token")), to: id)
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
            channel.write(.error(APIErrorBody(code: "bad_message", message: d.message, field: d.field)), to: id)
            if !hello { refuse() }
            return
        }
        guard env.v <= WireVersion.current else {
            channel.write(.error(APIErrorBody(code: "bad_version", message: "message version \(env.v) is newer than the manager's \(WireVersion.current)", field: "v")), to: id)
            refuse()
            return
        }
        if hello {
            guard env.type != .hello else { return }
            inbox.post(.agentMessage(env, connection: id))
            return
        }
        guard env.type == .hello, let h = env.hello else {
            channel.write(.error(APIErrorBody(code: "bad_message", message: "the first message must be a hello", field: "type")), to: id)
            refuse()
            return
        }
        guard tokens.acceptsAgent(h.token) else {
            // Never log the token itself.
            log.warning("refused agent connection from \(peer): wrong or missing token (401)")
            channel.write(.error(APIErrorBody(code: "unauthorized", message: "wrong or missing token")), to: id)
            refuse()
            return
        }
        hello = true
        greeted.withLockedValue { $0 = true }
        authenticated()
        channel.configure(id, binary: h.binary ?? false, binaryAssign: h.binaryAssign ?? false, templates: h.templates ?? false)
        var stripped = h
        stripped.token = ""
        inbox.post(.agentHello(stripped, connection: id))
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
        channel.unauthenticated.withLockedValue { $0 -= 1 }
    }

    /// Frames already read behind a refused one are dropped, not handled.
    private func refuse() {
        over = true
        channel.close(id)
    }

    func closed() {
        over = true
        leavePending()
        if hello { inbox.post(.agentDisconnected(connection: id)) }
        channel.forget(id)
    }
}

/// Compares secrets without leaking their common prefix length through timing.
func constantTimeEqual(_ a: String, _ b: String) -> Bool {
    let x = Array(a.utf8), y = Array(b.utf8)
    var diff = UInt8(x.count == y.count ? 0 : 1)
    for i in 0..<max(x.count, y.count) { diff |= (i < x.count ? x[i] : 0) ^ (i < y.count ? y[i] : 0) }
    return diff == 0
}
