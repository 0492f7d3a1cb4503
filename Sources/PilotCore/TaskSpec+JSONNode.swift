/// Task objects read from a `JSONNode` tree: the API's fast path for submit bodies. The fields,
/// checks and values are those of the Decodable reader (`TaskSpec+Codable.swift`); where that
/// reader would refuse the object, or where this one is not sure to read a value the same way, the
/// answer is nil and the caller reads the body again the Decodable way, so every error it reports
/// stays word for word.
extension TaskSpec {
    public init?(fields: [String: JSONNode]) {
        var draft = TaskDraft()
        for (name, node) in fields {
            switch (name, node) {
            case (_, .null) where ["kind", "payload", "array_index"].contains(name): continue
            case ("kind", .string(let k)):
                guard let kind = Kind(rawValue: k) else { return nil }
                draft.spec.kind = kind
            case ("payload", .string(let p)): draft.spec.payload = p
            case ("array_index", _):
                guard case .integer(let i)? = TaskFieldValue(node) else { return nil }
                draft.spec.arrayIndex = i
            case ("kind", _), ("payload", _): return nil
            default:
                // `array`, `qpu_estimates` and keys no task has are left to the Decodable reader.
                guard TaskField.named(name) != nil, let value = TaskFieldValue(node) else { return nil }
                do { try draft.set(name, value, path: name) } catch { return nil }
            }
        }
        guard let built = try? draft.build() else { return nil }
        self = built
    }
}

extension TaskFieldValue {
    /// The value the Decodable reader makes of `node` (null, then bool, integer, number, string, a
    /// list of strings or of integers, a mapping), or nil where it would refuse it or might read it
    /// differently (integers beyond 2^53 in magnitude).
    public init?(_ node: JSONNode) {
        switch node {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .number(let d, let exact):
            if let i = Self.integer(d, exact: exact) { self = .integer(i); return }
            guard d != d.rounded() else { return nil }
            self = .number(d)
        case .string(let s): self = .text(s)
        case .array(let items):
            var strings: [String] = []
            strings.reserveCapacity(items.count)
            if items.allSatisfy({ if case .string = $0 { true } else { false } }) {
                for case .string(let s) in items { strings.append(s) }
            } else {
                for item in items {
                    guard case .number(let d, let exact) = item, let i = Self.integer(d, exact: exact) else { return nil }
                    strings.append(String(i))
                }
            }
            self = .list(strings)
        case .object(let fields):
            var entries: [TaskFieldEntry] = []
            entries.reserveCapacity(fields.count)
            for key in fields.keys.sorted() {
                guard let v = TaskFieldValue(fields[key]!) else { return nil }
                entries.append(TaskFieldEntry(key: key, value: v))
            }
            self = .map(entries)
        }
    }

    /// An integral number JSONDecoder reads as `Int` for certain: |value| < 2^53.
    private static func integer(_ d: Double, exact: UInt64?) -> Int? {
        if let e = exact { return e < 1 << 53 ? Int(e) : nil }
        guard d == d.rounded(), abs(d) < 0x1p53 else { return nil }
        return Int(d)
    }
}
