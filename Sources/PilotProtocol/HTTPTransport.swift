import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import NIOPosix
import NIOSSL

/// One HTTP/1.1 answer, read whole.
public struct HTTPResult: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: Data
}

/// A small HTTP/1.1 client over SwiftNIO for `PilotClient`: HTTPS whose only accepted certificate is
/// the manager's pinned one (URLSession on Linux cannot pin a self-signed certificate), or plain HTTP
/// for a manager started with `--insecure`. Kept-alive connections are reused, a few at a time.
final class HTTPTransport: Sendable {
    let host: String
    let port: Int
    let pin: TLSPin?
    let timeout: TimeAmount
    private let idle = NIOLockedValueBox<[HTTPConnection]>([])
    static let maxIdle = 4

    init(host: String, port: Int, pin: TLSPin?, timeout: Double) {
        self.host = host
        self.port = port
        self.pin = pin
        self.timeout = .milliseconds(Int64(timeout * 1000))
    }

    deinit {
        for c in idle.withLockedValue({ $0 }) { c.channel.close(promise: nil) }
    }

    var peer: String { "\(host.contains(":") ? "[\(host)]" : host):\(port)" }

    func request(_ method: String, _ path: String, headers: [(String, String)], body: Data?) async throws -> HTTPResult {
        // A kept-alive connection the server has since closed (its idle timeout) fails before any
        // answer: the request never reached the server, so one fresh attempt is safe.
        if let c = takeIdle() {
            do { return try await send(on: c, method, path, headers, body) } catch let e as HTTPTransportError where e.beforeAnswer {
                c.channel.close(promise: nil)
            }
        }
        let c = try await connect()
        return try await send(on: c, method, path, headers, body)
    }

    private func takeIdle() -> HTTPConnection? {
        idle.withLockedValue { list in
            while let c = list.popLast() {
                if c.channel.isActive { return c }
            }
            return nil
        }
    }

    private func putIdle(_ c: HTTPConnection) {
        let kept = idle.withLockedValue { list -> Bool in
            guard list.count < Self.maxIdle else { return false }
            list.append(c)
            return true
        }
        if !kept { c.channel.close(promise: nil) }
    }

    private func connect() async throws -> HTTPConnection {
        let mismatch = PinMismatch()
        let collector = HTTPCollector()
        let pin = self.pin
        let context: NIOSSLContext?
        if pin != nil { context = try TLSPin.sharedClientContext.get() } else { context = nil }
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .connectTimeout(.seconds(10))
                .channelInitializer { ch in
                    ch.eventLoop.makeCompletedFuture {
                        if let pin, let context {
                            try ch.pipeline.syncOperations.addHandler(try pin.clientHandler(context: context, mismatch: mismatch))
                        }
                        try ch.pipeline.syncOperations.addHTTPClientHandlers()
                        try ch.pipeline.syncOperations.addHandler(collector)
                    }
                }
                .connect(host: host, port: port).get()
        } catch {
            throw HTTPTransportError(message: "cannot connect to \(peer): \(error)", beforeAnswer: false)
        }
        return HTTPConnection(channel: channel, collector: collector, mismatch: mismatch)
    }

    private func send(on c: HTTPConnection, _ method: String, _ path: String, _ headers: [(String, String)], _ body: Data?) async throws -> HTTPResult {
        var head = HTTPRequestHead(version: .http1_1, method: HTTPMethod(rawValue: method), uri: path)
        head.headers.add(name: "Host", value: peer)
        head.headers.add(name: "Content-Length", value: String(body?.count ?? 0))
        for (k, v) in headers { head.headers.add(name: k, value: v) }
        let payload = body.map { ByteBuffer(data: $0) }
        let collector = c.collector
        let channel = c.channel
        let timeout = self.timeout
        let result: HTTPCollector.Done
        do {
            result = try await channel.eventLoop.flatSubmit {
                collector.send(head, body: payload, timeout: timeout)
            }.get()
        } catch {
            channel.close(promise: nil)
            if let pinError = c.mismatch.error(peer: peer) { throw pinError }
            if let e = error as? HTTPTransportError { throw e }
            // An error before any byte of the answer (a TLS close racing a reused connection's
            // request, say) may be retried on a fresh connection.
            let failure = error as? CollectorFailure
            let cause = failure?.error ?? error
            let what = cause is NIOSSLError || cause is BoringSSLError ? "TLS with \(peer) failed" : "\(method) \(path) to \(peer) failed"
            throw HTTPTransportError(message: "\(what): \(cause)", beforeAnswer: failure?.beforeAnswer ?? false)
        }
        if result.keepAlive { putIdle(c) } else { channel.close(promise: nil) }
        return result.result
    }
}

public struct HTTPTransportError: Error, CustomStringConvertible, Sendable {
    public var message: String
    /// The connection ended before any byte of an answer: a reused connection may simply have timed out.
    var beforeAnswer: Bool
    public var description: String { message }
}

/// An error the pipeline raised while a request was out, and whether any of the answer had come.
struct CollectorFailure: Error {
    var error: any Error
    var beforeAnswer: Bool
}

struct HTTPConnection: Sendable {
    let channel: any Channel
    let collector: HTTPCollector
    let mismatch: PinMismatch
}

/// The last handler of a client connection: writes one request and gathers its answer. Used on the
/// channel's event loop only.
final class HTTPCollector: ChannelInboundHandler, RemovableChannelHandler, @unchecked Sendable {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    struct Done { var result: HTTPResult; var keepAlive: Bool }

    private var context: ChannelHandlerContext?
    private var promise: EventLoopPromise<Done>?
    private var head: HTTPResponseHead?
    private var body: ByteBuffer?
    private var timer: Scheduled<Void>?

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    func send(_ requestHead: HTTPRequestHead, body: ByteBuffer?, timeout: TimeAmount) -> EventLoopFuture<Done> {
        guard let context, context.channel.isActive else {
            return (self.context?.eventLoop ?? MultiThreadedEventLoopGroup.singleton.any())
                .makeFailedFuture(HTTPTransportError(message: "connection closed", beforeAnswer: true))
        }
        let p = context.eventLoop.makePromise(of: Done.self)
        promise = p
        head = nil
        self.body = nil
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) { [weak self] in
            self?.fail(HTTPTransportError(message: "no answer within \(timeout.nanoseconds / 1_000_000_000) s", beforeAnswer: false))
            self?.context?.close(promise: nil)
        }
        context.write(wrapOutboundOut(.head(requestHead)), promise: nil)
        if let body, body.readableBytes > 0 { context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil) }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        return p.futureResult
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h):
            head = h
        case .body(var b):
            if body == nil { body = b } else { body!.writeBuffer(&b) }
        case .end:
            guard let h = head, let p = promise else { return }
            promise = nil
            timer?.cancel()
            let data = body.map { Data(buffer: $0) } ?? Data()
            head = nil
            body = nil
            p.succeed(Done(result: HTTPResult(status: Int(h.status.code), headers: h.headers, body: data), keepAlive: h.isKeepAlive))
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(CollectorFailure(error: error, beforeAnswer: head == nil))
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(HTTPTransportError(message: "the manager closed the connection", beforeAnswer: head == nil))
        context.fireChannelInactive()
    }

    private func fail(_ error: any Error) {
        guard let p = promise else { return }
        promise = nil
        timer?.cancel()
        p.fail(error)
    }
}

extension HTTPCollector.Done: Sendable {}
