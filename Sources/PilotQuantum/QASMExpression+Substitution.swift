extension QASMExpression {
    /// Whether the expression reads a parameter for which `isSymbolic` holds.
    func references(_ isSymbolic: (String) -> Bool) -> Bool {
        switch self {
        case .number, .pi: return false
        case .parameter(let name, _): return isSymbolic(name)
        case .negate(let e): return e.references(isSymbolic)
        case .binary(_, let l, let r, _): return l.references(isSymbolic) || r.references(isSymbolic)
        case .function(_, let e, _): return e.references(isSymbolic)
        }
    }

    /// The expression with each parameter in `map` replaced by its expression. Tokens stay, so an
    /// error evaluating the result points where evaluating the original would have.
    func substituting(_ map: [String: QASMExpression]) -> QASMExpression {
        switch self {
        case .number, .pi: return self
        case .parameter(let name, _): return map[name] ?? self
        case .negate(let e): return .negate(e.substituting(map))
        case .binary(let op, let l, let r, let t): return .binary(op, l.substituting(map), r.substituting(map), t)
        case .function(let name, let e, let t): return .function(name, e.substituting(map), t)
        }
    }

    /// Nodes of the expression once every parameter is replaced by an expression of `sizes[name]`
    /// nodes: what evaluating the substituted tree costs, computed without building it.
    func size(_ sizes: [String: Int]) -> Int {
        switch self {
        case .number, .pi: return 1
        case .parameter(let name, _): return sizes[name] ?? 1
        case .negate(let e), .function(_, let e, _): return 1 &+ e.size(sizes)
        case .binary(_, let l, let r, _): return 1 &+ l.size(sizes) &+ r.size(sizes)
        }
    }
}
