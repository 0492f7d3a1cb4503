import NIOCore

/// Agent-channel framing: a 4-byte big-endian length, then one JSON message.
public struct FrameDecoder: ByteToMessageDecoder {
    public typealias InboundOut = ByteBuffer
    public init() {}

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let len = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self) else { return .needMoreData }
        guard len <= WireVersion.maxFrameBytes else { throw FrameError.tooLarge(Int(len)) }
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
    case tooLarge(Int)
    public var description: String {
        switch self { case .tooLarge(let n): "frame of \(n) bytes exceeds the limit of \(WireVersion.maxFrameBytes)" }
    }
}

/// Hands decoded frames to an async consumer in order; the stream ends when the connection does.
public final class FrameStreamHandler: ChannelInboundHandler, Sendable {
    public typealias InboundIn = ByteBuffer
    let continuation: AsyncStream<ByteBuffer>.Continuation

    public init(_ continuation: AsyncStream<ByteBuffer>.Continuation) { self.continuation = continuation }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        continuation.yield(unwrapInboundIn(data))
    }
    public func channelInactive(context: ChannelHandlerContext) {
        continuation.finish()
        context.fireChannelInactive()
    }
    public func errorCaught(context: ChannelHandlerContext, error: any Error) {
        continuation.finish()
        context.close(promise: nil)
    }
}

extension ChannelPipeline {
    /// Installs the framing and returns the ordered stream of inbound frames.
    public func addFraming() -> EventLoopFuture<AsyncStream<ByteBuffer>> {
        let (stream, cont) = AsyncStream<ByteBuffer>.makeStream()
        return addFraming(cont).map { stream }
    }

    /// Same, feeding a stream the caller already holds (client bootstraps discard the initializer's value).
    public func addFraming(_ cont: AsyncStream<ByteBuffer>.Continuation) -> EventLoopFuture<Void> {
        eventLoop.submit {
            try self.syncOperations.addHandler(ByteToMessageHandler(FrameDecoder()))
            try self.syncOperations.addHandler(MessageToByteHandler(FrameEncoder()))
            try self.syncOperations.addHandler(FrameStreamHandler(cont))
        }
    }
}
