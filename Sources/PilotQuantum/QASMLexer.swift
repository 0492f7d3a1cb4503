/// Splits OpenQASM source into tokens. Works on UTF-8 bytes; columns count bytes, which equals
/// characters for ASCII source. OpenQASM 3 adds operators (`**`, `@`, `:`, `++`, comparisons) and
/// allows non-ASCII letters in identifiers (Qiskit writes parameters such as `θ` verbatim); the
/// OpenQASM 2 dialect keeps refusing them in the lexer so its errors stay where they were.
struct QASMLexer {
    enum Dialect: Sendable {
        case qasm2
        case qasm3
    }

    let fileName: String
    var dialect: Dialect = .qasm2

    func tokenize(_ source: String) throws(QuantumError) -> [QASMToken] {
        let bytes = Array(source.utf8)
        var tokens: [QASMToken] = []
        var i = 0
        var line = 1
        var lineStart = 0

        func error(_ message: String, at index: Int) -> QuantumError {
            QuantumError(.qasmSyntax, message, file: fileName, line: line, column: index - lineStart + 1)
        }

        while i < bytes.count {
            let b = bytes[i]
            let column = i - lineStart + 1
            if b == UInt8(ascii: "\n") {
                i += 1
                line += 1
                lineStart = i
                continue
            }
            if b == UInt8(ascii: " ") || b == UInt8(ascii: "\t") || b == UInt8(ascii: "\r") {
                i += 1
                continue
            }
            if b == UInt8(ascii: "/"), i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "/") {
                while i < bytes.count, bytes[i] != UInt8(ascii: "\n") { i += 1 }
                continue
            }
            if b == UInt8(ascii: "/"), i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "*") {
                let start = i
                i += 2
                var closed = false
                while i + 1 < bytes.count {
                    if bytes[i] == UInt8(ascii: "*"), bytes[i + 1] == UInt8(ascii: "/") {
                        i += 2
                        closed = true
                        break
                    }
                    if bytes[i] == UInt8(ascii: "\n") {
                        line += 1
                        lineStart = i + 1
                    }
                    i += 1
                }
                if !closed { throw error("unterminated block comment", at: start) }
                continue
            }
            if Self.isLetter(b) || (dialect == .qasm3 && b >= 0x80) {
                let start = i
                while i < bytes.count,
                      Self.isLetter(bytes[i]) || Self.isDigit(bytes[i]) || (dialect == .qasm3 && bytes[i] >= 0x80) {
                    i += 1
                }
                let name = String(decoding: bytes[start..<i], as: UTF8.self)
                tokens.append(QASMToken(kind: .identifier(name), line: line, column: column))
                continue
            }
            if Self.isDigit(b) || (b == UInt8(ascii: ".") && i + 1 < bytes.count && Self.isDigit(bytes[i + 1])) {
                let start = i
                var isReal = false
                while i < bytes.count, Self.isDigit(bytes[i]) { i += 1 }
                if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
                    isReal = true
                    i += 1
                    while i < bytes.count, Self.isDigit(bytes[i]) { i += 1 }
                }
                if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
                    var j = i + 1
                    if j < bytes.count, bytes[j] == UInt8(ascii: "+") || bytes[j] == UInt8(ascii: "-") { j += 1 }
                    if j < bytes.count, Self.isDigit(bytes[j]) {
                        isReal = true
                        i = j
                        while i < bytes.count, Self.isDigit(bytes[i]) { i += 1 }
                    } else {
                        throw error("malformed number exponent", at: start)
                    }
                }
                if dialect == .qasm3, i < bytes.count, Self.isLetter(bytes[i]) {
                    var j = i
                    while j < bytes.count, Self.isLetter(bytes[j]) || Self.isDigit(bytes[j]) { j += 1 }
                    throw error("literal '\(String(decoding: bytes[start..<j], as: UTF8.self))' is not supported: durations and imaginary numbers are outside the supported subset",
                                at: start)
                }
                if i < bytes.count, Self.isLetter(bytes[i]) {
                    throw error("malformed number '\(String(decoding: bytes[start...i], as: UTF8.self))'", at: start)
                }
                let text = String(decoding: bytes[start..<i], as: UTF8.self)
                if isReal {
                    guard let value = Double(text), value.isFinite else { throw error("malformed number '\(text)'", at: start) }
                    tokens.append(QASMToken(kind: .real(value), line: line, column: column))
                } else {
                    guard let value = Int(text) else { throw error("integer '\(text)' is too large", at: start) }
                    tokens.append(QASMToken(kind: .integer(value), line: line, column: column))
                }
                continue
            }
            if b == UInt8(ascii: "\"") {
                let start = i
                i += 1
                while i < bytes.count, bytes[i] != UInt8(ascii: "\""), bytes[i] != UInt8(ascii: "\n") { i += 1 }
                guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else {
                    throw error("unterminated string", at: start)
                }
                let text = String(decoding: bytes[(start + 1)..<i], as: UTF8.self)
                i += 1
                tokens.append(QASMToken(kind: .string(text), line: line, column: column))
                continue
            }
            if b == UInt8(ascii: "-"), i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: ">") {
                tokens.append(QASMToken(kind: .symbol("->"), line: line, column: column))
                i += 2
                continue
            }
            if b == UInt8(ascii: "="), i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "=") {
                tokens.append(QASMToken(kind: .symbol("=="), line: line, column: column))
                i += 2
                continue
            }
            if dialect == .qasm3, i + 1 < bytes.count,
               let symbol = Self.qasm3Pairs[(UInt16(b) << 8) | UInt16(bytes[i + 1])] {
                tokens.append(QASMToken(kind: .symbol(symbol), line: line, column: column))
                i += 2
                continue
            }
            if let symbol = Self.singleSymbols[Int(b)] ?? (dialect == .qasm3 ? Self.qasm3Singles[b] : nil) {
                tokens.append(QASMToken(kind: .symbol(symbol), line: line, column: column))
                i += 1
                continue
            }
            let shown: String
            if b >= 0x20 && b < 0x7F {
                shown = "'\(Character(Unicode.Scalar(b)))'"
            } else {
                shown = "byte 0x\(String(b, radix: 16))"
            }
            throw error("unexpected character \(shown)", at: i)
        }
        tokens.append(QASMToken(kind: .eof, line: line, column: bytes.count - lineStart + 1))
        return tokens
    }

    /// By byte, not hashed: every `;`, `,` and bracket of a program is looked up here.
    private static let singleSymbols: [String?] = {
        var table = [String?](repeating: nil, count: 256)
        for s in [";", ",", "(", ")", "[", "]", "{", "}", "+", "-", "*", "/", "^", ">", "<", "="] {
            table[Int(s.utf8.first!)] = s
        }
        return table
    }()

    private static let qasm3Pairs: [UInt16: String] = {
        var table: [UInt16: String] = [:]
        for s in ["**", "++", "!=", "<=", ">=", "&&", "||", "<<", ">>", "+=", "-=", "*=", "/="] {
            let b = Array(s.utf8)
            table[(UInt16(b[0]) << 8) | UInt16(b[1])] = s
        }
        return table
    }()

    private static let qasm3Singles: [UInt8: String] = {
        var table: [UInt8: String] = [:]
        for s in ["@", ":", "!", "~", "%", "&", "|", "."] { table[s.utf8.first!] = s }
        return table
    }()

    private static func isLetter(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
            || b == UInt8(ascii: "_")
    }

    private static func isDigit(_ b: UInt8) -> Bool {
        b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")
    }
}
