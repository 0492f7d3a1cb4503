import PilotCore
import Yams

/// A node together with where it sits: its dotted path and the mark of the key that led to it
/// (a missing field is best reported at its parent's key, which is where the user will look).
struct Cursor {
    let node: Node
    let path: String
    let keyMark: Mark?

    var mark: Mark? { node.mark ?? keyMark }

    func child(_ key: String, _ node: Node, keyMark: Mark?) -> Cursor {
        Cursor(node: node, path: path.isEmpty ? key : path + "." + key, keyMark: keyMark)
    }

    func element(_ index: Int, _ node: Node) -> Cursor {
        Cursor(node: node, path: path + "[\(index)]", keyMark: node.mark ?? keyMark)
    }
}

/// The entries of a mapping, in file order, with their key marks.
struct MappingView {
    struct Entry {
        let key: String
        let keyMark: Mark?
        let value: Cursor
    }
    let cursor: Cursor
    let entries: [Entry]

    subscript(key: String) -> Cursor? { entries.first { $0.key == key }?.value }
    func has(_ key: String) -> Bool { entries.contains { $0.key == key } }
}

extension WorkflowReader.Session {
    func fail(_ code: WorkflowError.Code, _ message: String, at mark: Mark?, field: String?) -> WorkflowError {
        WorkflowError(code, message, file: file, line: mark?.line, column: mark?.column, field: field)
    }

    func fail(_ code: WorkflowError.Code, _ message: String, at c: Cursor) -> WorkflowError {
        fail(code, message, at: c.mark, field: c.path)
    }

    func describe(_ node: Node) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        case .scalar(let s):
            switch ScalarKind(s) {
            case .null: return "null"
            case .bool: return "a boolean"
            case .int: return "an integer"
            case .double: return "a number"
            case .string:
                let shown = s.string.count > 40 ? String(s.string.prefix(40)) + "…" : s.string
                return "a string '\(shown)'"
            }
        }
    }

    func wrongType(_ c: Cursor, expected: String) -> WorkflowError {
        fail(.wrongType, "expected \(expected), got \(describe(c.node))", at: c)
    }

    func mapping(_ c: Cursor) throws(WorkflowError) -> MappingView {
        guard case .mapping(let m) = c.node else { throw wrongType(c, expected: "a mapping") }
        var entries: [MappingView.Entry] = []
        entries.reserveCapacity(m.count)
        for (k, v) in m {
            guard case .scalar(let ks) = k, ScalarKind(ks) != .null else {
                throw fail(.wrongType, "keys must be plain names, got \(describe(k))", at: k.mark ?? c.mark, field: c.path)
            }
            let key = ks.string
            // Yams rejects duplicates in one mapping already; this guards keys it sees as different
            // but that read the same here (e.g. `1` and `"1"`).
            if entries.contains(where: { $0.key == key }) {
                throw fail(.duplicateKey, "key '\(key)' appears more than once", at: k.mark, field: c.child(key, v, keyMark: nil).path)
            }
            entries.append(.init(key: key, keyMark: k.mark, value: c.child(key, v, keyMark: k.mark)))
        }
        return MappingView(cursor: c, entries: entries)
    }

    /// Rejects keys outside `allowed`, suggesting the closest allowed key, or saying which motif a
    /// key belongs to when it is valid elsewhere.
    func checkKeys(_ m: MappingView, allowed: [String], elsewhere: [String: String] = [:]) throws(WorkflowError) {
        for e in m.entries where !allowed.contains(e.key) {
            var msg = "unknown key '\(e.key)'"
            if let owner = elsewhere[e.key] {
                msg += " (\(owner))"
            } else if let s = Suggestion.closest(to: e.key, in: allowed) {
                msg += " (did you mean '\(s)'?)"
            } else {
                msg += " (expected one of: \(allowed.joined(separator: ", ")))"
            }
            throw fail(.unknownKey, msg, at: e.keyMark, field: e.value.path)
        }
    }

    func required(_ m: MappingView, _ key: String, what: String? = nil) throws(WorkflowError) -> Cursor {
        guard let c = m[key] else {
            let field = m.cursor.path.isEmpty ? key : m.cursor.path + "." + key
            throw fail(.missingField, "missing required field '\(key)'" + (what.map { " (\($0))" } ?? ""),
                       at: m.cursor.keyMark ?? m.cursor.mark, field: field)
        }
        return c
    }

    func string(_ c: Cursor, allowEmpty: Bool = false) throws(WorkflowError) -> String {
        guard case .scalar(let s) = c.node, ScalarKind(s) != .null else { throw wrongType(c, expected: "a string") }
        if !allowEmpty && s.string.isEmpty { throw fail(.invalidValue, "must not be empty", at: c) }
        return s.string
    }

    func name(_ c: Cursor, what: String) throws(WorkflowError) -> String {
        let s = try string(c)
        guard s.count <= 64, s.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }) else {
            throw fail(.invalidValue, "\(what) '\(s)' must be 1-64 ASCII letters, digits, '_' or '-'", at: c)
        }
        return s
    }

    func int(_ c: Cursor, _ range: ClosedRange<Int>) throws(WorkflowError) -> Int {
        guard case .scalar(let s) = c.node else { throw wrongType(c, expected: "an integer") }
        guard case .int(let v) = ScalarKind(s) else { throw wrongType(c, expected: "an integer") }
        guard range.contains(v) else {
            throw fail(.invalidValue, "must be between \(range.lowerBound) and \(range.upperBound), got \(v)", at: c)
        }
        return v
    }

    func bool(_ c: Cursor) throws(WorkflowError) -> Bool {
        guard case .scalar(let s) = c.node, case .bool(let b) = ScalarKind(s) else {
            throw wrongType(c, expected: "true or false")
        }
        return b
    }

    func list(_ c: Cursor, max: Int, nonEmpty: Bool = true) throws(WorkflowError) -> [Cursor] {
        guard case .sequence(let seq) = c.node else { throw wrongType(c, expected: "a list") }
        if nonEmpty && seq.isEmpty { throw fail(.invalidValue, "must not be an empty list", at: c) }
        guard seq.count <= max else { throw fail(.tooLarge, "has \(seq.count) entries; at most \(max) are allowed", at: c) }
        return seq.enumerated().map { c.element($0.offset, $0.element) }
    }

    func seconds(_ c: Cursor, positive: Bool) throws(WorkflowError) -> Double {
        guard case .scalar(let s) = c.node, ScalarKind(s) != .null else { throw wrongType(c, expected: "a duration (e.g. 30s, 2m, 1h30m)") }
        let v: Double
        do { v = try Quantity.seconds(s.string, field: c.path) } catch { throw fail(.invalidValue, error.message, at: c) }
        guard v.isFinite, v <= 366 * 86_400 else { throw fail(.invalidValue, "'\(s.string)' is longer than a year", at: c) }
        if positive && v <= 0 { throw fail(.invalidValue, "must be longer than 0 seconds", at: c) }
        return v
    }

    func bytes(_ c: Cursor) throws(WorkflowError) -> UInt64 {
        guard case .scalar(let s) = c.node, ScalarKind(s) != .null else { throw wrongType(c, expected: "a size (e.g. 512M, 2G)") }
        do { return try Quantity.bytes(s.string, field: c.path) } catch { throw fail(.invalidValue, error.message, at: c) }
    }

    func template(_ c: Cursor, scope: Template.Scope) throws(WorkflowError) -> Template {
        let s = try string(c, allowEmpty: true)
        do { return try Template(parsing: s, scope: scope) } catch { throw fail(error.code, error.message, at: c) }
    }

    func command(_ c: Cursor, scope: Template.Scope) throws(WorkflowError) -> [Template] {
        let items = try list(c, max: 10_000)
        var out: [Template] = []
        for (k, item) in items.enumerated() {
            let t = try template(item, scope: scope)
            if k == 0 && t.source.isEmpty { throw fail(.invalidValue, "the program name must not be empty", at: item) }
            out.append(t)
        }
        return out
    }

    /// Free-form values (driver parameters, sweep lists): scalars typed as in `ScalarKind`.
    func param(_ c: Cursor, depth: Int = 0) throws(WorkflowError) -> ParamValue {
        guard depth < options.maxDepth else { throw fail(.tooDeep, "nested more than \(options.maxDepth) levels", at: c) }
        switch c.node {
        case .scalar(let s):
            switch ScalarKind(s) {
            case .null: return .null
            case .bool(let b): return .bool(b)
            case .int(let i): return .int(i)
            case .double(let d): return .double(d)
            case .string(let t): return .string(t)
            }
        case .sequence(let seq):
            var out: [ParamValue] = []
            for (k, n) in seq.enumerated() { out.append(try param(c.element(k, n), depth: depth + 1)) }
            return .list(out)
        case .mapping:
            let m = try mapping(c)
            var out: [ParamValue.Entry] = []
            for e in m.entries { out.append(.init(key: e.key, value: try param(e.value, depth: depth + 1))) }
            return .map(out)
        case .alias:
            throw fail(.wrongType, "aliases are not supported here", at: c)
        }
    }
}

/// How a scalar reads. Only unquoted scalars are numbers, booleans or null, and only in their plain
/// spellings: YAML 1.1's `yes`/`no`/`on`/`off` and sexagesimal `1:30` would silently turn a device
/// name or a duration into something else.
enum ScalarKind: Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)

    init(_ s: Node.Scalar) {
        let t = s.string
        guard s.style == .plain || s.style == .any, s.tag.rawValue != Tag.Name.str.rawValue else { self = .string(t); return }
        switch t {
        case "", "~", "null", "Null", "NULL": self = .null; return
        case "true", "True", "TRUE": self = .bool(true); return
        case "false", "False", "FALSE": self = .bool(false); return
        default: break
        }
        if let first = t.first, first.isASCIIDigit || first == "-" || first == "+" || first == "." {
            if t.dropFirst(first == "-" || first == "+" ? 1 : 0).allSatisfy(\.isASCIIDigit), let i = Int(t) {
                self = .int(i); return
            }
            if t.allSatisfy({ $0.isASCIIDigit || "+-.eE".contains($0) }), let d = Double(t), d.isFinite {
                self = .double(d); return
            }
        }
        self = .string(t)
    }
}
