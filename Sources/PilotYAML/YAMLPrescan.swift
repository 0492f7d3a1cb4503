/// Cheap checks on the raw text before it reaches the YAML parser, whose composer recurses once per
/// nesting level: the size limit, and a conservative estimate of nesting depth from indentation,
/// inline `- ` markers and flow brackets.
enum YAMLPrescan {
    static func check(text: String, file: String?, limits: YAMLLimits) throws(YAMLError) {
        let size = text.utf8.count
        guard size <= limits.maxBytes else {
            throw YAMLError(.tooLarge, "the file is \(size) bytes; at most \(limits.maxBytes) are allowed", file: file)
        }
        var indents: [Int] = []
        var flow = 0
        var quote: Character?
        var lineNumber = 0
        var sawContent = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            var chars = Array(line)
            if chars.last == "\r" { chars.removeLast() }
            var col = 0
            while col < chars.count, chars[col] == " " { col += 1 }
            if quote == nil, flow == 0 {
                if col == chars.count || chars[col] == "#" { continue }
                while let top = indents.last, top >= col { indents.removeLast() }
                indents.append(col)
            }
            var depth = indents.count
            var scalarStart = true
            var k = col
            while k < chars.count {
                let ch = chars[k]
                if let q = quote {
                    if ch == "\\" && q == "\"" { k += 2; continue }
                    if ch == q {
                        if q == "'" && k + 1 < chars.count && chars[k + 1] == "'" { k += 2; continue }
                        quote = nil
                    }
                    k += 1
                    continue
                }
                // `where` in a multi-pattern case guards only the last pattern, hence plain ifs.
                if ch == "#" && (k == 0 || chars[k - 1] == " " || chars[k - 1] == "\t") {
                    break
                } else if (ch == "\"" || ch == "'") && scalarStart {
                    quote = ch
                } else if (ch == "[" || ch == "{") && (scalarStart || flow > 0) {
                    flow += 1
                } else if (ch == "]" || ch == "}") && flow > 0 {
                    flow -= 1
                } else if (ch == "-" || ch == "?") && scalarStart && flow == 0 && (k + 1 == chars.count || chars[k + 1] == " ") {
                    depth += 1
                }
                if ch == " " || ch == "\t" {
                    // still at the start of a scalar only if we just passed an indicator
                } else {
                    scalarStart = ch == ":" || ch == "," || ch == "[" || ch == "{" || ch == "-" || ch == "?"
                }
                k += 1
            }
            sawContent = true
            guard depth + flow <= limits.maxDepth else {
                throw YAMLError(.tooDeep, "the document nests deeper than \(limits.maxDepth) levels",
                                    file: file, line: lineNumber)
            }
        }
        guard sawContent else { throw YAMLError(.empty, "the file is empty", file: file, line: 1, column: 1) }
    }
}
