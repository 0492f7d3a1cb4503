import Yams

/// Yams rejects a mapping with duplicate keys before returning any node, and reports only the first
/// occurrence's position. This recovers the second occurrence and the key's dotted path from the
/// text (by indentation, so it is exact for block style and approximate for flow style).
struct YAMLDuplicateKeyLocator {
    let lines: [Substring]

    init(text: String) {
        lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    }

    func error(keys: [String], firstMark: Mark, file: String?) -> YAMLError {
        let key = keys.sorted().first ?? "?"
        let firstLine = firstMark.line - 1
        let indent = firstMark.column - 1
        var path = [key]
        var want = indent
        var i = firstLine - 1
        while i >= 0, want > 0 {
            let l = lines[i]
            let ind = l.prefix { $0 == " " }.count
            let body = l.dropFirst(ind)
            if ind < want, !body.isEmpty, !body.hasPrefix("#"), let colon = body.firstIndex(of: ":") {
                let name = body[..<colon].trimmed
                if !name.isEmpty && !name.hasPrefix("-") { path.insert(unquote(name), at: 0) }
                want = ind
            }
            i -= 1
        }
        var second: Int?
        var j = firstLine + 1
        while j < lines.count {
            let l = lines[j]
            let ind = l.prefix { $0 == " " }.count
            let body = l.dropFirst(ind)
            if !body.isEmpty, !body.hasPrefix("#") {
                if ind < indent { break }
                if ind == indent, let colon = body.firstIndex(of: ":"), unquote(body[..<colon].trimmed) == key {
                    second = j + 1
                    break
                }
            }
            j += 1
        }
        var msg = "key '\(key)' appears more than once (first at line \(firstMark.line))"
        if keys.count > 1 { msg += "; also duplicated: \(keys.sorted().dropFirst().joined(separator: ", "))" }
        return YAMLError(.duplicateKey, msg, file: file, line: second ?? firstMark.line,
                             column: second == nil ? firstMark.column : indent + 1, field: path.joined(separator: "."))
    }

    private func unquote(_ s: String) -> String {
        if s.count >= 2, let f = s.first, f == "\"" || f == "'", s.last == f { return String(s.dropFirst().dropLast()) }
        return s
    }
}

extension StringProtocol {
    var trimmed: String {
        var sub = Substring(self)
        while let f = sub.first, f == " " || f == "\t" { sub.removeFirst() }
        while let l = sub.last, l == " " || l == "\t" { sub.removeLast() }
        return String(sub)
    }
}
