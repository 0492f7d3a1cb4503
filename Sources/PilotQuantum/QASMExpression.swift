import Foundation

/// A parsed parameter expression. Kept symbolic because expressions inside `gate` bodies refer to
/// the gate's formal parameters and are only evaluated when the gate is expanded.
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
            let value: Double
            switch name {
            case "sin": value = sin(x)
            case "cos": value = cos(x)
            case "tan": value = tan(x)
            case "exp": value = exp(x)
            case "ln": value = log(x)
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
