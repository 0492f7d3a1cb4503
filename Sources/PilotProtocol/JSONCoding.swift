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
