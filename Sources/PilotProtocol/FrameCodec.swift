import NIOCore
import Synchronization

/// The largest frame a connection accepts now: small until the peer has authenticated (so an
/// unauthenticated peer cannot make the receiver buffer a large declared frame), then raised.
public final class FrameLimit: Sendable {
    private let bytes: Atomic<Int>
    public init(_ bytes: Int) { self.bytes = Atomic(bytes) }
    public var current: Int { bytes.load(ordering: .relaxed) }
    public func raise(to n: Int) { bytes.store(n, ordering: .relaxed) }
}

/// Agent-channel framing: a 4-byte big-endian length, then one JSON message.
/// A length over the limit ends the connection before any of the frame is buffered.
public struct FrameDecoder: ByteToMessageDecoder {
    public typealias InboundOut = ByteBuffer
    let limit: FrameLimit
    public init(limit: FrameLimit = FrameLimit(WireVersion.maxFrameBytes)) { self.limit = limit }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let len = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self) else { return .needMoreData }
        let max = limit.current
        guard len <= max else { throw FrameError.tooLarge(Int(len), limit: max) }
        guard buffer.readableBytes >= 4 + Int(len) else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: 4)
        context.fireChannelRead(wrapInboundOut(buffer.readSlice(length: Int(len))!))
        return .continue
    }
}

public struct FrameEncoder: MessageToByteEncoder {
    public typealias OutboundIn = ByteBuffer
    public init() {}
    public func encode(data: ByteBuffer, out: inout ByteBuffer) throws {
        out.writeInteger(UInt32(data.readableBytes))
        out.writeImmutableBuffer(data)
    }
}

public enum FrameError: Error, CustomStringConvertible, Sendable {
    case tooLarge(Int, limit: Int)
    /// Too many connections are waiting to authenticate; this one is closed at once.
    case tooManyUnauthenticated(limit: Int)
    public var description: String {
        switch self {
        case .tooLarge(let n, let limit): "frame of \(n) bytes exceeds the limit of \(limit)"
        case .tooManyUnauthenticated(let limit): "more than \(limit) connections are waiting to authenticate"
        }
    }
}

/// Hands each decoded frame to `onFrame` on the channel's event loop, and reports the end of the
/// connection once. Callbacks rather than an AsyncStream: the agent and the manager core run on
/// their connection's event loop, so a frame is handled where it arrives; a stream's consumer was
/// resumed on the Swift pool and hopped back, two thread wake-ups per message.
public final class FrameCallbackHandler: ChannelInboundHandler {
    public typealias InboundIn = ByteBuffer
    let onFrame: (ByteBuffer) -> Void
    var onClose: (@Sendable () -> Void)?

    public init(onFrame: @escaping (ByteBuffer) -> Void, onClose: @escaping @Sendable () -> Void) {
        self.onFrame = onFrame
        self.onClose = onClose
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        onFrame(unwrapInboundIn(data))
    }
    public func channelInactive(context: ChannelHandlerContext) {
        closed(context)
        context.fireChannelInactive()
    }
    public func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
        closed(context)
    }
    /// Reported on a later turn of the loop, never inline: a close can happen inside the owner's
    /// own call (it closes a link, or a write fails), and the owner must not be re-entered in the
    /// middle of changing its state.
    private func closed(_ context: ChannelHandlerContext) {
        guard let c = onClose else { return }
        onClose = nil
        context.eventLoop.execute(c)
    }
}

extension ChannelPipeline.SynchronousOperations {
    /// Installs the framing; call on the channel's event loop (in a channel initializer).
    public func addFraming(limit: FrameLimit = FrameLimit(WireVersion.maxFrameBytes),
                           onFrame: @escaping (ByteBuffer) -> Void, onClose: @escaping @Sendable () -> Void) throws {
        try addHandler(ByteToMessageHandler(FrameDecoder(limit: limit)))
        try addHandler(MessageToByteHandler(FrameEncoder()))
        try addHandler(FrameCallbackHandler(onFrame: onFrame, onClose: onClose))
    }
}
