/// JSON literals written by hand on hot paths, in the exact spelling Foundation's `JSONEncoder`
/// uses, so hand-built and encoded JSON are interchangeable (tests compare them byte for byte).
public enum JSONLiteral {
    /// A string literal: quotes, backslashes and control characters escaped; slashes and
    /// non-ASCII text left as they are.
    public static func appendString(_ text: String, to s: inout String) {
        // Most texts (names, placements, device names) need no escape: one append, not one per scalar.
        if !needsEscape(text) {
            s += "\""
            s += text
            s += "\""
            return
        }
        // Escaped through the byte form, a run at a time: appending scalar by scalar cost more than
        // the rest of a spec's JSON when the text is a circuit with an escape on every line.
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + 64)
        appendString(text, to: &out)
        s += String(decoding: out, as: UTF8.self)
    }

    /// An integer's decimal digits, written in place: no `String` per number, and the digits go in
    /// with one append (digit by digit, the array's capacity checks cost more than the division).
    public static func appendInteger(_ v: Int64, to out: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var m = v.magnitude
            var i = 20
            repeat {
                i -= 1
                digits[i] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: m % 10)
                m /= 10
            } while m > 0
            if v < 0 { out.append(UInt8(ascii: "-")) }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: digits[i..<20]))
        }
    }

    /// The same literal as UTF-8 bytes.
    public static func appendString(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { bytes in
            var run = 0
            for (i, b) in bytes.enumerated() where b < 0x20 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<i]))
                run = i + 1
                out.append(UInt8(ascii: "\\"))
                switch b {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(b)
                case 0x0A: out.append(UInt8(ascii: "n"))
                case 0x0D: out.append(UInt8(ascii: "r"))
                case 0x09: out.append(UInt8(ascii: "t"))
                case 0x08: out.append(UInt8(ascii: "b"))
                case 0x0C: out.append(UInt8(ascii: "f"))
                default:
                    let hex = Array("0123456789abcdef".utf8)
                    out.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(b >> 4)], hex[Int(b & 0xF)]])
                }
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run...]))
        }
        out.append(UInt8(ascii: "\""))
    }

    static func needsEscape(_ text: String) -> Bool {
        text.utf8.contains { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }
    }

    /// A finite number: integral values without a fraction, others in Swift's shortest form.
    public static func number(_ d: Double) -> String {
        if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) }
        return "\(d)"
    }
}
