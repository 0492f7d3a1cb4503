/// The parameter space of an ensemble: every combination of its variables (a Cartesian product),
/// in declaration order with the last variable varying fastest, like nested loops.
public struct SweepSpec: Sendable, Hashable {
    public struct Variable: Sendable, Hashable {
        public var name: String
        public var values: Values
        public init(name: String, values: Values) { self.name = name; self.values = values }
    }

    public enum Values: Sendable, Hashable {
        /// `"A-B[:S]"` or `"1,4,9"`.
        case range(IndexRange)
        /// `[0.1, 0.2, "x"]`.
        case list([ParamValue])
        /// `{seeds: N}`: N seeds derived from the workflow seed, the stage and the variable name.
        case seeds(Int)

        public var count: Int {
            switch self {
            case .range(let r): return r.count
            case .list(let l): return l.count
            case .seeds(let n): return n
            }
        }
    }

    public var variables: [Variable]

    public init(variables: [Variable] = []) { self.variables = variables }

    /// Number of combinations, or nil when it overflows `Int`.
    public var count: Int? {
        var total = 1
        for v in variables {
            let (p, overflow) = total.multipliedReportingOverflow(by: v.values.count)
            if overflow { return nil }
            total = p
        }
        return total
    }

    /// The values of combination `index` (0-based), by variable name.
    public func combination(at index: Int, seed: UInt64, stage: String) -> [String: ParamValue] {
        var out: [String: ParamValue] = [:]
        var rest = index
        for v in variables.reversed() {
            let n = v.values.count
            let k = rest % n
            rest /= n
            switch v.values {
            case .range(let r): out[v.name] = .int(r.value(at: k))
            case .list(let l): out[v.name] = l[k]
            case .seeds:
                let s = SeedSequence.seed(root: seed, stage: stage, variable: v.name, index: k)
                out[v.name] = .int(Int(s))
            }
        }
        return out
    }
}
