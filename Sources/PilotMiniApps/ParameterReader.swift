import PilotWorkflow

/// Reads a driver's free-form `params` mapping with defaults, range checks and a refusal of
/// unknown keys, so a typo in a workflow file fails the stage instead of being silently ignored.
struct ParameterReader {
    let params: ParamValue
    let allowed: Set<String>

    init(_ params: ParamValue, allowed: [String]) throws(MiniAppError) {
        self.params = params
        self.allowed = Set(allowed)
        switch params {
        case .null: break
        case .map(let entries):
            for e in entries where !self.allowed.contains(e.key) {
                throw MiniAppError(.invalidParameter, "unknown parameter '\(e.key)'; known: \(allowed.sorted().joined(separator: ", "))",
                                   field: "params.\(e.key)")
            }
        default:
            throw MiniAppError(.invalidParameter, "params must be a mapping", field: "params")
        }
    }

    func int(_ key: String, _ fallback: Int, _ range: ClosedRange<Int>) throws(MiniAppError) -> Int {
        guard let v = params[key] else { return fallback }
        guard let i = v.intValue else { throw MiniAppError(.invalidParameter, "must be an integer", field: "params.\(key)") }
        guard range.contains(i) else {
            throw MiniAppError(.invalidParameter, "must be in \(range.lowerBound)...\(range.upperBound), got \(i)", field: "params.\(key)")
        }
        return i
    }

    func has(_ key: String) -> Bool { params[key] != nil }

    func bool(_ key: String, _ fallback: Bool) throws(MiniAppError) -> Bool {
        guard let v = params[key] else { return fallback }
        guard case .bool(let b) = v else { throw MiniAppError(.invalidParameter, "must be true or false", field: "params.\(key)") }
        return b
    }

    func double(_ key: String, _ fallback: Double) throws(MiniAppError) -> Double {
        guard let v = params[key] else { return fallback }
        guard let d = v.doubleValue, d.isFinite else { throw MiniAppError(.invalidParameter, "must be a number", field: "params.\(key)") }
        return d
    }

    func string(_ key: String, _ fallback: String) throws(MiniAppError) -> String {
        guard let v = params[key] else { return fallback }
        guard case .string(let s) = v, !s.isEmpty else {
            throw MiniAppError(.invalidParameter, "must be a non-empty string", field: "params.\(key)")
        }
        return s
    }

    func method(_ key: String, _ fallback: VariationalOptimizer.Method) throws(MiniAppError) -> VariationalOptimizer.Method {
        let s = try string(key, fallback.rawValue)
        guard let m = VariationalOptimizer.Method(rawValue: s) else {
            throw MiniAppError(.invalidParameter, "must be one of \(VariationalOptimizer.Method.allCases.map(\.rawValue))", field: "params.\(key)")
        }
        return m
    }
}
