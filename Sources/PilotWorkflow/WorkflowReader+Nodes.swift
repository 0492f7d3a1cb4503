import PilotCore
import PilotYAML
import Yams

/// The workflow reader walks the shared YAML reader's values; these names keep its code short.
typealias Cursor = YAMLValue
typealias MappingView = YAMLMapping
typealias ScalarKind = YAMLScalar

extension WorkflowError {
    /// The shared reader's error, same text and place, under the workflow's code of the same name.
    init(_ e: YAMLError) {
        self.init(Code(rawValue: e.code.rawValue) ?? .invalidValue, e.message, file: e.file, line: e.line, column: e.column,
                  field: e.field)
    }
}

extension WorkflowReader.Session {
    func fail(_ code: WorkflowError.Code, _ message: String, at mark: Mark?, field: String?) -> WorkflowError {
        WorkflowError(code, message, file: file, line: mark?.line, column: mark?.column, field: field)
    }

    func fail(_ code: WorkflowError.Code, _ message: String, at c: Cursor) -> WorkflowError {
        fail(code, message, at: c.mark, field: c.path)
    }

    func describe(_ node: Node) -> String { Cursor(node: node, path: "", keyMark: nil, file: file).describe }

    /// Runs a read of the shared YAML reader, its error turned into a workflow error.
    func yaml<T>(_ body: () throws(YAMLError) -> T) throws(WorkflowError) -> T {
        do { return try body() } catch { throw WorkflowError(error) }
    }

    func wrongType(_ c: Cursor, expected: String) -> WorkflowError { WorkflowError(c.wrongType(expected: expected)) }

    func mapping(_ c: Cursor) throws(WorkflowError) -> MappingView { try yaml { () throws(YAMLError) in try c.mapping() } }

    /// Rejects keys outside `allowed`, suggesting the closest allowed key, or saying which motif a
    /// key belongs to when it is valid elsewhere.
    func checkKeys(_ m: MappingView, allowed: [String], elsewhere: [String: String] = [:]) throws(WorkflowError) {
        try yaml { () throws(YAMLError) in try m.checkKeys(allowed: allowed, elsewhere: elsewhere) }
    }

    func required(_ m: MappingView, _ key: String, what: String? = nil) throws(WorkflowError) -> Cursor {
        try yaml { () throws(YAMLError) in try m.required(key, what: what) }
    }

    func string(_ c: Cursor, allowEmpty: Bool = false) throws(WorkflowError) -> String {
        try yaml { () throws(YAMLError) in try c.string(allowEmpty: allowEmpty) }
    }

    func name(_ c: Cursor, what: String) throws(WorkflowError) -> String {
        let s = try string(c)
        guard s.count <= 64, s.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }) else {
            throw fail(.invalidValue, "\(what) '\(s)' must be 1-64 ASCII letters, digits, '_' or '-'", at: c)
        }
        return s
    }

    func int(_ c: Cursor, _ range: ClosedRange<Int>) throws(WorkflowError) -> Int { try yaml { () throws(YAMLError) in try c.int(range) } }

    func bool(_ c: Cursor) throws(WorkflowError) -> Bool { try yaml { () throws(YAMLError) in try c.bool() } }

    func list(_ c: Cursor, max: Int, nonEmpty: Bool = true) throws(WorkflowError) -> [Cursor] {
        try yaml { () throws(YAMLError) in try c.list(max: max, nonEmpty: nonEmpty) }
    }

    func seconds(_ c: Cursor, positive: Bool) throws(WorkflowError) -> Double {
        try yaml { () throws(YAMLError) in try c.seconds(positive: positive) }
    }

    func bytes(_ c: Cursor) throws(WorkflowError) -> UInt64 { try yaml { () throws(YAMLError) in try c.bytes() } }

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
