import PilotCore
import Yams

/// A node together with where it sits: its dotted path, the mark of the key that led to it (a
/// missing or empty value is best reported at its key, which is where the user will look) and the
/// file. Every typed read either returns the value or throws a `YAMLError` that names all three.
public struct YAMLValue: @unchecked Sendable {
    public let node: Node
    public let path: String
    public let keyMark: Mark?
    public let file: String?

    public init(node: Node, path: String, keyMark: Mark?, file: String?) {
        self.node = node
        self.path = path
        self.keyMark = keyMark
        self.file = file
    }

    public var mark: Mark? { node.mark ?? keyMark }
    public var line: Int? { mark?.line }
    public var column: Int? { mark?.column }

    public func child(_ key: String, _ node: Node, keyMark: Mark?) -> YAMLValue {
        YAMLValue(node: node, path: path.isEmpty ? key : path + "." + key, keyMark: keyMark, file: file)
    }

    public func element(_ index: Int, _ node: Node) -> YAMLValue {
        YAMLValue(node: node, path: path + "[\(index)]", keyMark: node.mark ?? keyMark, file: file)
    }

    /// An error located at this value.
    public func fail(_ code: YAMLError.Code, _ message: String) -> YAMLError {
        YAMLError(code, message, file: file, line: mark?.line, column: mark?.column, field: path.isEmpty ? nil : path)
    }

    /// The one wording of a wrong type, the same as the task-field table's for the same value.
    public func wrongType(expected: String) -> YAMLError {
        fail(.wrongType, "must be \(expected), got \(describe)")
    }

    /// What the value is, as an error message shows it (`TaskFieldValue.described`'s spelling).
    public var describe: String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        case .scalar(let s):
            switch YAMLScalar(s) {
            case .null: return TaskFieldValue.null.described
            case .bool(let b): return TaskFieldValue.bool(b).described
            case .int(let i): return TaskFieldValue.integer(i).described
            case .double(let d): return TaskFieldValue.number(d).described
            case .string(let t): return TaskFieldValue.text(t).described
            }
        }
    }

    /// The scalar, typed; nil for mappings, lists and aliases.
    public var scalar: YAMLScalar? {
        if case .scalar(let s) = node { return YAMLScalar(s) }
        return nil
    }

    public var isNull: Bool { scalar == .null }

    public func mapping() throws(YAMLError) -> YAMLMapping {
        guard case .mapping(let m) = node else { throw wrongType(expected: "a mapping") }
        var entries: [YAMLMapping.Entry] = []
        entries.reserveCapacity(m.count)
        for (k, v) in m {
            guard case .scalar(let ks) = k, YAMLScalar(ks) != .null else {
                throw YAMLError(.wrongType, "keys must be plain names, got \(child("?", k, keyMark: k.mark).describe)",
                                file: file, line: (k.mark ?? mark)?.line, column: (k.mark ?? mark)?.column, field: path.isEmpty ? nil : path)
            }
            let key = ks.string
            // The parser rejects duplicates in one mapping already; this guards keys it sees as
            // different but that read the same here (e.g. `1` and `"1"`).
            if entries.contains(where: { $0.key == key }) {
                let c = child(key, v, keyMark: k.mark)
                throw YAMLError(.duplicateKey, "key '\(key)' appears more than once", file: file, line: k.mark?.line,
                                column: k.mark?.column, field: c.path)
            }
            entries.append(.init(key: key, keyMark: k.mark, value: child(key, v, keyMark: k.mark)))
        }
        return YAMLMapping(value: self, entries: entries)
    }

    public func string(allowEmpty: Bool = false) throws(YAMLError) -> String {
        guard case .scalar(let s) = node, YAMLScalar(s) != .null else { throw wrongType(expected: "a string") }
        if !allowEmpty && s.string.isEmpty { throw fail(.invalidValue, "must not be empty") }
        return s.string
    }

    /// A single-line string that matches `pattern` when one is given.
    public func line(pattern: ((String) -> Bool)? = nil, explanation: String = "") throws(YAMLError) -> String {
        let s = try string()
        guard !s.contains("\n") else { throw fail(.invalidValue, "must be a single line") }
        if let pattern, !pattern(s) { throw fail(.invalidValue, "'\(s)' \(explanation)") }
        return s
    }

    public func int(_ range: ClosedRange<Int> = Int.min...Int.max) throws(YAMLError) -> Int {
        guard case .int(let v) = scalar else { throw wrongType(expected: "an integer") }
        guard range.contains(v) else {
            throw fail(.invalidValue, "must be between \(range.lowerBound) and \(range.upperBound), got \(v)")
        }
        return v
    }

    /// An integer or a decimal number, finite.
    public func number(_ range: ClosedRange<Double>? = nil) throws(YAMLError) -> Double {
        let v: Double
        switch scalar {
        case .int(let i): v = Double(i)
        case .double(let d): v = d
        default: throw wrongType(expected: "a number")
        }
        if let range, !range.contains(v) {
            throw fail(.invalidValue, "must be between \(range.lowerBound) and \(range.upperBound), got \(v)")
        }
        return v
    }

    public func bool() throws(YAMLError) -> Bool {
        guard case .bool(let b) = scalar else { throw wrongType(expected: "true or false") }
        return b
    }

    public func list(max: Int, nonEmpty: Bool = true) throws(YAMLError) -> [YAMLValue] {
        guard case .sequence(let seq) = node else { throw wrongType(expected: "a list") }
        if nonEmpty && seq.isEmpty { throw fail(.invalidValue, "must not be an empty list") }
        guard seq.count <= max else { throw fail(.tooLarge, "has \(seq.count) entries; at most \(max) are allowed") }
        return seq.enumerated().map { element($0.offset, $0.element) }
    }

    /// A duration in the task-field spelling (`90s`, `10m`, `1:30:00`; a bare number is minutes).
    public func seconds(positive: Bool) throws(YAMLError) -> Double {
        guard case .scalar(let s) = node, YAMLScalar(s) != .null else { throw wrongType(expected: "a duration (e.g. 30s, 2m, 1h30m)") }
        let v: Double
        do { v = try Quantity.seconds(s.string, field: path) } catch { throw fail(.invalidValue, error.message) }
        guard v.isFinite, v <= 366 * 86_400 else { throw fail(.invalidValue, "'\(s.string)' is longer than a year") }
        if positive && v <= 0 { throw fail(.invalidValue, "must be longer than 0 seconds") }
        return v
    }

    /// A size in the task-field spelling (`512M`, `2G`; a bare number is MiB).
    public func bytes() throws(YAMLError) -> UInt64 {
        guard case .scalar(let s) = node, YAMLScalar(s) != .null else { throw wrongType(expected: "a size (e.g. 512M, 2G)") }
        do { return try Quantity.bytes(s.string, field: path) } catch { throw fail(.invalidValue, error.message) }
    }
}
