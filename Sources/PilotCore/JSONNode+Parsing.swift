import Foundation

extension JSONNode {
    /// Why the reader failed, and at which byte.
    public struct SyntaxError: Error, CustomStringConvertible {
        public var offset: Int
        public var reason: String
        public var description: String { "\(reason) at byte \(offset)" }
    }

    /// Reads a complete JSON text (RFC 8259). Written out rather than decoded through
    /// `JSONDecoder`: decoding an enum of unknown shape tries each type in turn and throws for
    /// every miss, which made reading a PUB job's binding arrays most of a batched round's CPU.
    /// Nesting is bounded by the caller's pre-scan (`nestingViolation`).
    public static func parse(_ data: Data) throws(SyntaxError) -> JSONNode {
        let bytes = [UInt8](data)
        var reader = Reader(bytes: bytes)
        reader.skipSpace()
        let value = try reader.value()
        reader.skipSpace()
        guard reader.at == bytes.count else { throw SyntaxError(offset: reader.at, reason: "unexpected text after the JSON value") }
        return value
    }

    private struct Reader {
        let bytes: [UInt8]
        var at = 0

        mutating func skipSpace() {
            while at < bytes.count, bytes[at] == 0x20 || bytes[at] == 0x0A || bytes[at] == 0x0D || bytes[at] == 0x09 { at += 1 }
        }

        func fail(_ reason: String) -> SyntaxError { SyntaxError(offset: at, reason: reason) }

        mutating func value() throws(SyntaxError) -> JSONNode {
            guard at < bytes.count else { throw fail("unexpected end of the text") }
            switch bytes[at] {
            case UInt8(ascii: "{"): return try object()
            case UInt8(ascii: "["): return try array()
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): try literal("true"); return .bool(true)
            case UInt8(ascii: "f"): try literal("false"); return .bool(false)
            case UInt8(ascii: "n"): try literal("null"); return .null
            default: return try number()
            }
        }

        mutating func literal(_ word: StaticString) throws(SyntaxError) {
            let n = word.utf8CodeUnitCount
            guard at + n <= bytes.count else { throw fail("unexpected end of the text") }
            for k in 0..<n where bytes[at + k] != word.utf8Start[k] { throw fail("unexpected character") }
            at += n
        }

        mutating func object() throws(SyntaxError) -> JSONNode {
            at += 1
            var fields: [String: JSONNode] = [:]
            skipSpace()
            if at < bytes.count, bytes[at] == UInt8(ascii: "}") { at += 1; return .object(fields) }
            while true {
                skipSpace()
                guard at < bytes.count, bytes[at] == UInt8(ascii: "\"") else { throw fail("expected a key in quotes") }
                let key = try string()
                skipSpace()
                guard at < bytes.count, bytes[at] == UInt8(ascii: ":") else { throw fail("expected ':' after a key") }
                at += 1
                skipSpace()
                guard fields.updateValue(try value(), forKey: key) == nil else { throw fail("duplicate key '\(key)'") }
                if try closes(with: UInt8(ascii: "}")) { return .object(fields) }
            }
        }

        mutating func array() throws(SyntaxError) -> JSONNode {
            at += 1
            var items: [JSONNode] = []
            skipSpace()
            if at < bytes.count, bytes[at] == UInt8(ascii: "]") { at += 1; return .array(items) }
            while true {
                skipSpace()
                items.append(try value())
                if try closes(with: UInt8(ascii: "]")) { return .array(items) }
            }
        }

        /// After a member of an object or an array: true past its closing `closer`, false past a comma.
        mutating func closes(with closer: UInt8) throws(SyntaxError) -> Bool {
            skipSpace()
            guard at < bytes.count else { throw fail("unexpected end of the text") }
            if bytes[at] == UInt8(ascii: ",") { at += 1; return false }
            guard bytes[at] == closer else { throw fail("expected ',' or '\(Character(Unicode.Scalar(closer)))'") }
            at += 1
            return true
        }

        mutating func string() throws(SyntaxError) -> String {
            at += 1
            let start = at
            // The common case, no escapes: one copy of the bytes.
            while at < bytes.count, bytes[at] != UInt8(ascii: "\""), bytes[at] != UInt8(ascii: "\\"), bytes[at] >= 0x20 { at += 1 }
            guard at < bytes.count else { throw fail("unterminated string") }
            if bytes[at] == UInt8(ascii: "\"") {
                defer { at += 1 }
                return try utf8(bytes[start..<at])
            }
            var out = Array(bytes[start..<at])
            while true {
                guard at < bytes.count else { throw fail("unterminated string") }
                let b = bytes[at]
                if b == UInt8(ascii: "\"") { at += 1; return try utf8(out[...]) }
                guard b >= 0x20 else { throw fail("control character in a string") }
                guard b == UInt8(ascii: "\\") else {
                    // A run of plain bytes at once: a circuit has an escape on every line.
                    let run = at
                    while at < bytes.count, bytes[at] != UInt8(ascii: "\""), bytes[at] != UInt8(ascii: "\\"), bytes[at] >= 0x20 { at += 1 }
                    out.append(contentsOf: bytes[run..<at])
                    continue
                }
                at += 1
                guard at < bytes.count else { throw fail("unterminated string") }
                let e = bytes[at]
                at += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800..<0xDC00).contains(scalar) {
                        guard at + 1 < bytes.count, bytes[at] == UInt8(ascii: "\\"), bytes[at + 1] == UInt8(ascii: "u") else {
                            throw fail("unpaired surrogate in a string")
                        }
                        at += 2
                        let low = try hex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw fail("unpaired surrogate in a string") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let u = Unicode.Scalar(scalar) else { throw fail("invalid \\u escape") }
                    out.append(contentsOf: Array(String(Character(u)).utf8))
                default: throw fail("invalid escape '\\\(Character(Unicode.Scalar(e)))'")
                }
            }
        }

        mutating func hex4() throws(SyntaxError) -> UInt32 {
            guard at + 4 <= bytes.count else { throw fail("unterminated \\u escape") }
            var v: UInt32 = 0
            for _ in 0..<4 {
                let b = bytes[at]
                let d: UInt32
                switch b {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(b - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(b - UInt8(ascii: "a") + 10)
                case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(b - UInt8(ascii: "A") + 10)
                default: throw fail("invalid \\u escape")
                }
                v = v << 4 | d
                at += 1
            }
            return v
        }

        func utf8(_ slice: ArraySlice<UInt8>) throws(SyntaxError) -> String {
            guard let s = String(validating: slice, as: UTF8.self) else { throw fail("a string is not valid UTF-8") }
            return s
        }

        /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`; a plain unsigned integer that fits
        /// 64 bits also keeps its exact value.
        mutating func number() throws(SyntaxError) -> JSONNode {
            let start = at
            func digits() -> Int {
                let s = at
                while at < bytes.count, bytes[at] >= UInt8(ascii: "0"), bytes[at] <= UInt8(ascii: "9") { at += 1 }
                return at - s
            }
            let negative = at < bytes.count && bytes[at] == UInt8(ascii: "-")
            if negative { at += 1 }
            let intStart = at
            let intDigits = digits()
            guard intDigits > 0 else { at = start; throw fail("unexpected character") }
            guard !(intDigits > 1 && bytes[intStart] == UInt8(ascii: "0")) else { throw fail("a number has a leading zero") }
            var integral = true
            if at < bytes.count, bytes[at] == UInt8(ascii: ".") {
                at += 1
                integral = false
                guard digits() > 0 else { throw fail("a number needs digits after '.'") }
            }
            if at < bytes.count, bytes[at] == UInt8(ascii: "e") || bytes[at] == UInt8(ascii: "E") {
                at += 1
                integral = false
                if at < bytes.count, bytes[at] == UInt8(ascii: "+") || bytes[at] == UInt8(ascii: "-") { at += 1 }
                guard digits() > 0 else { throw fail("a number needs digits in its exponent") }
            }
            let text = String(decoding: bytes[start..<at], as: UTF8.self)
            if integral, !negative, let exact = UInt64(text) { return .number(Double(exact), exact: exact) }
            guard let d = Double(text), d.isFinite else { throw SyntaxError(offset: start, reason: "number out of range") }
            // `1e3` and `2.0` are integers too, as JSONDecoder read them.
            if d >= 0, d < 0x1p53, d == d.rounded() { return .number(d, exact: UInt64(d)) }
            return .number(d, exact: nil)
        }
    }

    /// Byte offset where `{`/`[` nesting passes `maxDepth`, outside strings; nil if it never does.
    public static func nestingViolation(_ data: Data, maxDepth: Int) -> Int? {
        // Over the raw bytes: `Data`'s iterator cost more than the scan itself.
        data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) -> Int? in
            var depth = 0
            var inString = false
            var escaped = false
            for offset in 0..<bytes.count {
                let b = bytes[offset]
                if inString {
                    if escaped { escaped = false } else if b == UInt8(ascii: "\\") { escaped = true } else if b == UInt8(ascii: "\"") { inString = false }
                    continue
                }
                switch b {
                case UInt8(ascii: "\""): inString = true
                case UInt8(ascii: "["), UInt8(ascii: "{"):
                    depth += 1
                    if depth > maxDepth { return offset }
                case UInt8(ascii: "]"), UInt8(ascii: "}"): depth -= 1
                default: break
                }
            }
            return nil
        }
    }
}
