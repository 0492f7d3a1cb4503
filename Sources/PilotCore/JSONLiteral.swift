/// JSON literals written by hand on hot paths, in the exact spelling Foundation's `JSONEncoder`
/// uses, so hand-built and encoded JSON are interchangeable (tests compare them byte for byte).
public enum JSONLiteral {
    /// A string literal: quotes, backslashes and control characters escaped; slashes and
    /// non-ASCII text left as they are.
    public static func appendString(_ text: String, to s: inout String) {
        s += "\""
        for u in text.unicodeScalars {
            switch u {
            case "\"": s += "\\\""
            case "\\": s += "\\\\"
            case "\n": s += "\\n"
            case "\r": s += "\\r"
            case "\t": s += "\\t"
            case "\u{08}": s += "\\b"
            case "\u{0C}": s += "\\f"
            default:
                if u.value < 0x20 {
                    let hex = String(u.value, radix: 16)
                    s += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    s.unicodeScalars.append(u)
                }
            }
        }
        s += "\""
    }

    /// A finite number: integral values without a fraction, others in Swift's shortest form.
    public static func number(_ d: Double) -> String {
        if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) }
        return "\(d)"
    }
}
