import Foundation
import NIOCore
import NIOFoundationCompat

/// Shared coders: one configuration for the whole wire, so every peer agrees on the format.
public enum JSONCoding {
    public static func encoder() -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return e
    }
    public static func decoder() -> JSONDecoder { JSONDecoder() }

    public static func frame<T: Encodable>(_ value: T, allocator: ByteBufferAllocator = ByteBufferAllocator()) throws -> ByteBuffer {
        try encoder().encodeAsByteBuffer(value, allocator: allocator)
    }

    public static func decode<T: Decodable>(_ type: T.Type, from buffer: ByteBuffer) throws -> T {
        try decoder().decode(type, from: buffer)
    }

    /// Turns a decoding failure into a message that names the field and the reason.
    public static func describe(_ error: any Error) -> (field: String?, message: String) {
        if let b = error as? BinaryFrameError { return (b.field, b.message) }
        guard let e = error as? DecodingError else { return (nil, "\(error)") }
        func path(_ p: [any CodingKey]) -> String? {
            let s = p.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
            return s.isEmpty ? nil : s
        }
        switch e {
        case .typeMismatch(let t, let c): return (path(c.codingPath), "expected \(t): \(c.debugDescription)")
        case .valueNotFound(let t, let c): return (path(c.codingPath), "missing value of type \(t)")
        case .keyNotFound(let k, let c): return (path(c.codingPath + [k]), "required field is missing")
        case .dataCorrupted(let c): return (path(c.codingPath), "malformed JSON: \(c.underlyingError.map { "\($0)" } ?? c.debugDescription)")
        @unknown default: return (nil, "\(e)")
        }
    }
}

extension JSONCoding {
    /// One agent-channel frame: the binary form when the peer reads it and the message has one,
    /// JSON otherwise.
    public static func frame(_ env: AgentEnvelope, binary: Bool, allocator: ByteBufferAllocator) throws -> ByteBuffer {
        if binary, let b = BinaryFrame.encode(env, allocator: allocator) { return b }
        return try frame(env, allocator: allocator)
    }

    /// `assignments`: the peer reads every assignment in binary (`AgentHello.binaryAssign`).
    public static func frame(_ env: ManagerEnvelope, binary: Bool, assignments: Bool = false,
                             allocator: ByteBufferAllocator) throws -> ByteBuffer {
        if binary, let b = BinaryFrame.encode(env, allocator: allocator, assignments: assignments) { return b }
        return try frame(env, allocator: allocator)
    }

    /// Reads either form; the first byte tells which.
    public static func decodeAgentFrame(_ buf: ByteBuffer) throws -> AgentEnvelope {
        BinaryFrame.isBinary(buf) ? try BinaryFrame.decodeAgentEnvelope(buf) : try decode(AgentEnvelope.self, from: buf)
    }

    public static func decodeManagerFrame(_ buf: ByteBuffer) throws -> ManagerEnvelope {
        BinaryFrame.isBinary(buf) ? try BinaryFrame.decodeManagerEnvelope(buf) : try decode(ManagerEnvelope.self, from: buf)
    }
}
