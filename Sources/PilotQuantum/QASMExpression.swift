import Foundation

/// A parsed parameter expression. Kept symbolic because expressions inside `gate` bodies refer to
/// the gate's formal parameters and are only evaluated when the gate is expanded.
///
/// A binding of NaN stands for an OpenQASM 3 `input` that has no value yet: it propagates through
/// the arithmetic without the finiteness checks, so a parameterized program can be checked once
/// before any binding exists (see `ParameterizedCircuit`). Numbers from source text are always
/// finite, so NaN never arises otherwise.
indirect enum QASMExpression: Sendable {
    case number(Double)
    case pi
    case parameter(String, QASMToken)
    case negate(QASMExpression)
    case binary(Character, QASMExpression, QASMExpression, QASMToken)
    case function(String, QASMExpression, QASMToken)

    func evaluate(_ bindings: [String: Double], fileName: String) throws(QuantumError) -> Double {
        switch self {
        case .number(let v):
            return v
        case .pi:
            return Double.pi
        case .parameter(let name, let token):
            guard let v = bindings[name] else {
                throw QuantumError(.qasmSemantic, "unknown parameter '\(name)'", file: fileName,
                                   line: token.line, column: token.column)
            }
            return v
        case .negate(let e):
            return -(try e.evaluate(bindings, fileName: fileName))
        case .binary(let op, let l, let r, let token):
            let a = try l.evaluate(bindings, fileName: fileName)
            let b = try r.evaluate(bindings, fileName: fileName)
            if a.isNaN || b.isNaN { return .nan }
            let value: Double
            switch op {
            case "+": value = a + b
            case "-": value = a - b
            case "*": value = a * b
            case "/":
                guard b != 0 else {
                    throw QuantumError(.qasmSemantic, "division by zero", file: fileName, line: token.line, column: token.column)
                }
                value = a / b
            default: value = pow(a, b)
            }
            guard value.isFinite else {
                throw QuantumError(.qasmSemantic, "expression is not a finite number", file: fileName,
                                   line: token.line, column: token.column)
            }
            return value
        case .function(let name, let e, let token):
            let x = try e.evaluate(bindings, fileName: fileName)
            if x.isNaN { return .nan }
            let value: Double
            switch name {
            case "sin": value = sin(x)
            case "cos": value = cos(x)
            case "tan": value = tan(x)
            case "arcsin": value = asin(x)
            case "arccos": value = acos(x)
            case "arctan": value = atan(x)
            case "exp": value = exp(x)
            case "ln", "log": value = log(x)
            case "floor": value = x.rounded(.down)
            case "ceiling": value = x.rounded(.up)
            default: value = x.squareRoot()
            }
            guard value.isFinite else {
                throw QuantumError(.qasmSemantic, "\(name)(\(x)) is not a finite number", file: fileName,
                                   line: token.line, column: token.column)
            }
            return value
        }
    }
}
