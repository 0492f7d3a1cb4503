/// Turning a format's value into the typed one, with the same ranges, units and messages for
/// every format. `path` is where the value sits (`tasks[3].cores`, `stages.prep.time_limit`,
/// `--cores`), so the error names the field as the user wrote it.
extension TaskField {
    private func wrong(_ v: TaskFieldValue, _ expected: String, _ path: String) -> CoreError {
        CoreError(.invalidRequest, "must be \(expected), got \(v.described)", field: path)
    }

    public func integer(_ v: TaskFieldValue, path: String) throws(CoreError) -> Int {
        guard case .integer(let range) = type else { preconditionFailure("\(name) is not an integer field") }
        let n: Int
        switch v {
        case .integer(let i): n = i
        case .number(let d) where d.rounded() == d && abs(d) < 1e15: n = Int(d)
        case .text(let s):
            guard let i = Int(s.trimmingCharacters(in: " \t")) else { throw wrong(v, "an integer", path) }
            n = i
        default: throw wrong(v, "an integer", path)
        }
        guard range.contains(n) else {
            throw CoreError(.invalidRequest, "must be between \(range.lowerBound) and \(range.upperBound), got \(n)", field: path)
        }
        return n
    }

    /// Seconds. A bare number is minutes, as in Slurm's `--time`.
    public func seconds(_ v: TaskFieldValue, path: String) throws(CoreError) -> Double {
        let s: Double
        switch v {
        case .integer(let i): s = Double(i) * 60
        case .number(let d): s = d * 60
        case .text(let t):
            let trimmed = t.trimmingCharacters(in: " \t")
            if let d = Double(trimmed) { s = d * 60 } else { s = try Quantity.seconds(trimmed, field: path) }
        default: throw wrong(v, "a duration (10 = 10 minutes, 90s, 1h30m, 1:30:00)", path)
        }
        guard s.isFinite, s >= 0, s <= 366 * 86_400 else {
            throw CoreError(.invalidRequest, "must be a duration between 0 and 366 days, got \(v.described)", field: path)
        }
        return s
    }

    /// Bytes. A bare number is MiB, as in Slurm's `--mem`.
    public func bytes(_ v: TaskFieldValue, path: String) throws(CoreError) -> UInt64 {
        let mib = 1_048_576.0
        switch v {
        case .integer(let i) where i >= 0 && i < 1 << 43: return UInt64(i) << 20
        case .number(let d) where d >= 0 && d < 1.7e13: return UInt64(d * mib)
        case .text(let t):
            let trimmed = t.trimmingCharacters(in: " \t")
            if let d = Double(trimmed) {
                guard d >= 0, d < 1.7e13 else { throw wrong(v, "a size (bare number: MiB; 512M, 2G)", path) }
                return UInt64(d * mib)
            }
            return try Quantity.bytes(trimmed, field: path)
        default: throw wrong(v, "a size (bare number: MiB; 512M, 2G)", path)
        }
    }

    public func text(_ v: TaskFieldValue, path: String) throws(CoreError) -> String {
        switch v {
        case .text(let s): return s
        // A YAML plain scalar such as `name: 42` is still a fine name.
        case .integer(let i): return String(i)
        case .number(let d): return String(d)
        default: throw wrong(v, "a string", path)
        }
    }

    public func bool(_ v: TaskFieldValue, path: String) throws(CoreError) -> Bool {
        switch v {
        case .bool(let b): return b
        case .text("true"): return true
        case .text("false"): return false
        default: throw wrong(v, "true or false", path)
        }
    }

    public func command(_ v: TaskFieldValue, path: String) throws(CoreError) -> [String] {
        switch v {
        case .list(let l): return l
        case .text(let s): return ["/bin/sh", "-c", s]
        default: throw wrong(v, "a list of strings or a shell command string", path)
        }
    }

    public func qpu(_ v: TaskFieldValue, path: String) throws(CoreError) -> QPUSelector {
        do { return try QPUSelector(parsing: try text(v, path: path)) } catch {
            throw CoreError(.invalidRequest, error.message, field: path)
        }
    }

    public func amounts(_ v: TaskFieldValue, path: String) throws(CoreError) -> [String: Int] {
        var out: [String: Int] = [:]
        for e in try entries(v, path: path, separator: "NAME=N") {
            let amount: Int
            switch e.value {
            case .integer(let i): amount = i
            case .text(let s) where Int(s) != nil: amount = Int(s)!
            default: throw CoreError(.invalidRequest, "must be an integer amount, got \(e.value.described)", field: "\(path).\(e.key)")
            }
            guard e.key.utf8.count <= 64, !e.key.isEmpty else {
                throw CoreError(.invalidRequest, "a resource name must have 1 to 64 characters", field: path)
            }
            guard (0...1_000_000).contains(amount) else {
                throw CoreError(.invalidRequest, "must be between 0 and 1000000, got \(amount)", field: "\(path).\(e.key)")
            }
            out[e.key, default: 0] += amount
        }
        return out
    }

    public func variables(_ v: TaskFieldValue, path: String) throws(CoreError) -> [String: String] {
        var out: [String: String] = [:]
        for e in try entries(v, path: path, separator: "NAME=VALUE") {
            switch e.value {
            case .text(let s): out[e.key] = s
            case .integer(let i): out[e.key] = String(i)
            case .number(let d): out[e.key] = String(d)
            case .bool(let b): out[e.key] = String(b)
            default: throw CoreError(.invalidRequest, "must be a string, got \(e.value.described)", field: "\(path).\(e.key)")
            }
        }
        return out
    }

    public func range(_ v: TaskFieldValue, path: String) throws(CoreError) -> ArrayRange {
        do { return try ArrayRange(try text(v, path: path)) } catch { throw CoreError(.invalidRequest, error.message, field: path) }
    }

    public func ids(_ v: TaskFieldValue, path: String) throws(CoreError) -> [Int64] {
        let items: [String]
        switch v {
        case .list(let l): items = l
        case .integer(let i): items = [String(i)]
        case .text(let s): items = s.split(separator: ",").map { String($0).trimmingCharacters(in: " \t") }
        default: throw wrong(v, "task ids", path)
        }
        guard items.count <= 10_000 else { throw CoreError(.invalidRequest, "at most 10000 task ids", field: path) }
        return try items.map { s throws(CoreError) -> Int64 in
            guard let id = Int64(s), id > 0 else { throw CoreError(.invalidRequest, "'\(s)' is not a task id", field: path) }
            return id
        }
    }

    /// A mapping, or on the command line a list of `KEY=VALUE` items.
    private func entries(_ v: TaskFieldValue, path: String, separator: String) throws(CoreError) -> [TaskFieldEntry] {
        switch v {
        case .map(let m): return m
        case .list(let items):
            return try items.map { item throws(CoreError) -> TaskFieldEntry in
                let kv = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                guard kv.count == 2, !kv[0].isEmpty else { throw CoreError(.invalidRequest, "'\(item)': expected \(separator)", field: path) }
                return TaskFieldEntry(key: String(kv[0]), value: .text(String(kv[1])))
            }
        case .text(let item): return try entries(.list([item]), path: path, separator: separator)
        default: throw wrong(v, "a mapping", path)
        }
    }
}
