import Yams

/// How a scalar reads. Only unquoted scalars are numbers, booleans or null, and only in their plain
/// spellings: YAML 1.1's `yes`/`no`/`on`/`off` and sexagesimal `1:30` would silently turn a device
/// name or a duration into something else.
public enum YAMLScalar: Equatable, Sendable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)

    public init(_ s: Node.Scalar) {
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

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
