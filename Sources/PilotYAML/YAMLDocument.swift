import Yams

/// Parses YAML text into a tree every format reads the same way: limits checked before and after
/// parsing, syntax errors and duplicate keys located, empty documents refused.
public enum YAMLDocument {
    /// The root of the document. `file` only names it in errors; nothing is opened.
    public static func parse(_ text: String, file: String?, limits: YAMLLimits = YAMLLimits()) throws(YAMLError) -> YAMLValue {
        try YAMLPrescan.check(text: text, file: file, limits: limits)
        let node: Node?
        do {
            let parser = try Parser(yaml: text, resolver: .basic, constructor: .default, encoding: .utf8)
            node = try parser.singleRoot()
        } catch let e as YamlError {
            throw translate(e, text: text, file: file)
        } catch {
            throw YAMLError(.syntax, "cannot parse: \(error)", file: file)
        }
        guard let node else { throw YAMLError(.empty, "the file is empty", file: file, line: 1, column: 1) }
        if case .scalar(let s) = node, YAMLScalar(s) == .null {
            throw YAMLError(.empty, "the file is empty", file: file, line: 1, column: 1)
        }
        var budget = limits.maxNodes
        try measure(node, depth: 0, budget: &budget, limits: limits, file: file)
        return YAMLValue(node: node, path: "", keyMark: nil, file: file)
    }

    /// Reads a file, refusing one too large before reading it all, or not UTF-8.
    public static func load(path: String, limits: YAMLLimits = YAMLLimits()) throws(YAMLError) -> YAMLValue {
        try parse(try YAMLFile.read(path, limits: limits), file: path, limits: limits)
    }

    private static func translate(_ e: YamlError, text: String, file: String?) -> YAMLError {
        switch e {
        case .scanner(let context, let problem, let mark, _),
             .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            var msg = "YAML syntax error: \(problem)"
            if let context { msg += " (\(context.text) at line \(context.mark.line), column \(context.mark.column))" }
            return YAMLError(.syntax, msg, file: file, line: mark.line, column: mark.column)
        case .reader(let problem, let offset, _, _):
            var line: Int?
            if let offset { line = text.utf8.prefix(offset).reduce(1) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 } }
            return YAMLError(.syntax, "cannot read the file: \(problem)", file: file, line: line)
        case .duplicatedKeysInMapping(let duplicates, let context):
            return YAMLDuplicateKeyLocator(text: text).error(keys: duplicates, firstMark: context.mark, file: file)
        default:
            return YAMLError(.syntax, "cannot parse: \(e)", file: file)
        }
    }

    private static func measure(_ node: Node, depth: Int, budget: inout Int, limits: YAMLLimits, file: String?) throws(YAMLError) {
        budget -= 1
        guard budget >= 0 else {
            throw YAMLError(.tooLarge, "the document has more than \(limits.maxNodes) nodes once aliases are expanded",
                            file: file, line: node.mark?.line, column: node.mark?.column)
        }
        guard depth <= limits.maxDepth else {
            throw YAMLError(.tooDeep, "the document nests deeper than \(limits.maxDepth) levels",
                            file: file, line: node.mark?.line, column: node.mark?.column)
        }
        switch node {
        case .scalar, .alias: break
        case .sequence(let s): for n in s { try measure(n, depth: depth + 1, budget: &budget, limits: limits, file: file) }
        case .mapping(let m):
            for (k, v) in m {
                try measure(k, depth: depth + 1, budget: &budget, limits: limits, file: file)
                try measure(v, depth: depth + 1, budget: &budget, limits: limits, file: file)
            }
        }
    }
}
