/// Cheap checks run before a parser sees untrusted text, so hostile input (huge files, thousands of
/// nested brackets that would exhaust a recursive parser's stack) is refused with a position.
public enum InputLimits {
    public static let maxDocumentBytes = 8 << 20
    public static let maxNesting = 64
    /// A task's `$PILOT_RESULT_FILE`: larger ones fail the attempt (the result is stored in the
    /// queue and sent over the agent channel, so it must stay small).
    public static let maxResultBytes = 1 << 20
    /// A circuit file a workflow or a quantum task names (OpenQASM text).
    public static let maxCircuitBytes = 16 << 20

    /// The first place where flow nesting (`[`/`{`) or block indentation gets deeper than `maxDepth`.
    public static func nestingViolation(in text: String, maxDepth: Int = maxNesting) -> (line: Int, column: Int)? {
        var depth = 0
        var line = 1, column = 0
        var inQuote: UInt8? = nil
        var atLineStart = true
        var indent = 0
        for b in text.utf8 {
            column += 1
            if b == UInt8(ascii: "\n") { line += 1; column = 0; atLineStart = true; indent = 0; inQuote = nil; continue }
            if atLineStart {
                if b == UInt8(ascii: " ") || b == UInt8(ascii: "-") { indent += 1 } else { atLineStart = false }
                // Two spaces per level is the usual style: 2 × maxDepth columns of indentation is plenty.
                if indent > maxDepth * 4 { return (line, column) }
            }
            if let q = inQuote { if b == q { inQuote = nil }; continue }
            switch b {
            case UInt8(ascii: "\""), UInt8(ascii: "'"): inQuote = b
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                if depth > maxDepth { return (line, column) }
            case UInt8(ascii: "]"), UInt8(ascii: "}"): depth = max(0, depth - 1)
            default: break
            }
        }
        return nil
    }
}
