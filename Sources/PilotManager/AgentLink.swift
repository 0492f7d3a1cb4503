import NIOCore
import PilotProtocol

/// The manager's handle on one agent connection. Writes are thread-safe and never block the caller.
public struct AgentLink: Sendable {
    let channel: any Channel
    let id: ObjectIdentifier
    /// Set from the agent's hello: per-task messages go out as `BinaryFrame`s.
    var binary = false

    init(channel: any Channel) {
        self.channel = channel
        id = ObjectIdentifier(channel)
    }

    func send(_ message: ManagerEnvelope) {
        guard let buf = try? JSONCoding.frame(message, binary: binary, allocator: channel.allocator) else { return }
        channel.writeAndFlush(buf, promise: nil)
    }

    func close() { channel.close(promise: nil) }
}
