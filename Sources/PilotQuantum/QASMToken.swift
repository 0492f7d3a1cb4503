/// A lexical token of OpenQASM 2 with its 1-based source position.
struct QASMToken: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        case identifier(String)
        case integer(Int)
        case real(Double)
        case string(String)
        case symbol(String)
        case eof
    }

    var kind: Kind
    var line: Int
    var column: Int

    var text: String {
        switch kind {
        case .identifier(let s): return s
        case .integer(let i): return String(i)
        case .real(let d): return String(d)
        case .string(let s): return "\"\(s)\""
        case .symbol(let s): return s
        case .eof: return "end of file"
        }
    }

    /// Quoted form for error messages.
    var quoted: String {
        if case .eof = kind { return "end of file" }
        return "'\(text)'"
    }
}
