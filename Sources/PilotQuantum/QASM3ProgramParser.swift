/// Recursive-descent parser for the OpenQASM 3 subset described in `QASMParser`.
///
/// One pass both checks and builds: `bindings` gives each `input` its value, or NaN while it is
/// unbound, in which case the gates it feeds carry NaN parameters and the result is only good
/// for its shape (see `ParameterizedCircuit`).
struct QASM3ProgramParser {
    private struct GateDefinition {
        var name: String
        var parameters: [String]
        var qubitArguments: [String]
        var body: [BodyStatement]
    }

    private enum BodyStatement {
        case call(name: String, token: QASMToken, arguments: [QASMExpression], qubits: [Int])
        case globalPhase(QASMExpression)
    }

    private enum Argument {
        case register(String, QASMToken)
        case indexed(String, Int, QASMToken, QASMToken)
        /// Inclusive OpenQASM 3 range `start:step:end`; nil ends mean the register's ends.
        case range(String, start: Int?, step: Int, end: Int?, QASMToken, QASMToken)

        var token: QASMToken {
            switch self {
            case .register(_, let t), .indexed(_, _, let t, _), .range(_, _, _, _, let t, _): return t
            }
        }

        var isWholeRegister: Bool {
            if case .indexed = self { return false }
            return true
        }
    }

    private struct RegisterInfo {
        var offset: Int
        var size: Int
        /// Declared as `qubit q;`/`bit b;`: a single bit that cannot be indexed.
        var isSingle: Bool
    }

    struct Input {
        var name: String
        var token: QASMToken
    }

    /// stdgates.inc, read as Qiskit reads it: each name is Qiskit's gate of that name, so `u2`
    /// and `u3` keep Qiskit's global phase rather than the `gphase` stdgates.inc adds to them.
    static let standardGates: [String: GateKind] = [
        "p": .p, "x": .x, "y": .y, "z": .z, "h": .h, "s": .s, "sdg": .sdg, "t": .t, "tdg": .tdg, "sx": .sx,
        "rx": .rx, "ry": .ry, "rz": .rz, "cx": .cx, "cy": .cy, "cz": .cz, "cp": .cp, "crx": .crx, "cry": .cry,
        "crz": .crz, "ch": .ch, "swap": .swap, "ccx": .ccx, "cswap": .cswap, "cu": .cu, "CX": .cx, "phase": .p,
        "cphase": .cp, "id": .id, "u1": .u1, "u2": .u2, "u3": .u3,
    ]

    private static let unsupportedKeywords: Set<String> = [
        "if", "else", "for", "while", "def", "return", "const", "int", "uint", "float", "angle", "bool", "duration",
        "stretch", "complex", "array", "delay", "box", "cal", "defcal", "defcalgrammar", "extern", "break",
        "continue", "end", "output", "opaque", "let", "switch", "case", "default", "durationof", "sizeof",
    ]
    private static let modifiers: Set<String> = ["inv", "pow", "ctrl", "negctrl"]
    private static let functions: Set<String> = [
        "sin", "cos", "tan", "arcsin", "arccos", "arctan", "exp", "log", "sqrt", "floor", "ceiling",
    ]
    private static let constants: [String: Double] = [
        "pi": Double.pi, "π": Double.pi, "tau": 2 * Double.pi, "τ": 2 * Double.pi,
        "euler": 2.718281828459045, "ℇ": 2.718281828459045,
    ]

    private let tokens: [QASMToken]
    private let fileName: String
    private let bindings: [String: Double]
    private var position = 0
    private var includedStdgates = false
    private var quantumRegisters: [String: RegisterInfo] = [:]
    private var classicalRegisters: [String: RegisterInfo] = [:]
    private var quantumOrder: [QuantumCircuit.Register] = []
    private var classicalOrder: [QuantumCircuit.Register] = []
    private var userGates: [String: GateDefinition] = [:]
    private(set) var inputs: [Input] = []
    private var inputValues: [String: Double] = [:]
    private var operations: [QuantumOperation] = []
    private var globalPhase = 0.0
    private var expansionSteps = 0
    private var qubitTotal = 0
    private var clbitTotal = 0
    private var expressionDepth = 0
    private static let maxExpressionDepth = 200
    private var expressionNodes = 0
    private static let maxExpressionNodes = 4096
    /// Expanded operations; nested gate definitions can multiply, so hostile input is stopped here.
    private static let maxOperations = 1 << 22

    /// How a binding fills in the angles that depend on inputs, in the order a reading of the
    /// program evaluates them (so the first error is the same one a reading would report).
    enum BindingStep: Sendable {
        /// A gate-call argument read only for its errors (its uses are steps of their own).
        case check(QASMExpression)
        /// Parameter `index` of operation `operation`.
        case parameter(operation: Int, index: Int, QASMExpression)
        case phase(QASMExpression)
    }

    /// Substituted expressions larger than this are not recorded; binding then reads the program again.
    static let maxRecordedNodes = 1000

    /// Recorded while reading with `records`; nil when an expression grew past `maxRecordedNodes`.
    private(set) var bindingSteps: [BindingStep]?

    init(tokens: [QASMToken], fileName: String, bindings: [String: Double], records: Bool = false) {
        self.tokens = tokens
        self.fileName = fileName
        self.bindings = bindings
        bindingSteps = records ? [] : nil
    }

    /// An input-dependent angle with the node count of its expression over the inputs.
    private struct Symbol {
        var expression: QASMExpression
        var size: Int
    }

    private mutating func record(_ step: BindingStep) {
        bindingSteps?.append(step)
    }

    // MARK: - Token helpers

    private var current: QASMToken { tokens[min(position, tokens.count - 1)] }

    private var next: QASMToken { tokens[min(position + 1, tokens.count - 1)] }

    private mutating func advance() -> QASMToken {
        let token = current
        if position < tokens.count - 1 { position += 1 }
        return token
    }

    private func error(_ message: String, at token: QASMToken, code: QuantumError.Code = .qasmSyntax) -> QuantumError {
        QuantumError(code, message, file: fileName, line: token.line, column: token.column)
    }

    private func isSymbol(_ s: String) -> Bool {
        if case .symbol(let v) = current.kind { return v == s }
        return false
    }

    private func isIdentifier(_ s: String) -> Bool {
        if case .identifier(let v) = current.kind { return v == s }
        return false
    }

    private mutating func expectSymbol(_ s: String, _ context: String) throws(QuantumError) {
        guard isSymbol(s) else {
            throw error("expected '\(s)' \(context), found \(current.quoted)", at: current)
        }
        _ = advance()
    }

    private mutating func expectIdentifier(_ context: String) throws(QuantumError) -> (String, QASMToken) {
        let token = current
        guard case .identifier(let name) = token.kind else {
            throw error("expected \(context), found \(token.quoted)", at: token)
        }
        _ = advance()
        return (name, token)
    }

    private mutating func expectInteger(_ context: String) throws(QuantumError) -> (Int, QASMToken) {
        let token = current
        guard case .integer(let value) = token.kind else {
            throw error("expected \(context), found \(token.quoted)", at: token)
        }
        _ = advance()
        return (value, token)
    }

    /// An integer literal with an optional minus sign (indices may count from the end).
    private mutating func expectSignedInteger(_ context: String) throws(QuantumError) -> (Int, QASMToken) {
        let token = current
        if isSymbol("-") {
            _ = advance()
            let (value, _) = try expectInteger(context)
            return (-value, token)
        }
        return try expectInteger(context)
    }

    // MARK: - Program

    mutating func parseProgram() throws(QuantumError) -> QuantumCircuit {
        let (word, headerToken) = try expectIdentifier("the 'OPENQASM' header")
        guard word == "OPENQASM" else {
            throw error("an OpenQASM 3 program must start with 'OPENQASM 3.0;'", at: headerToken)
        }
        let versionToken = current
        switch versionToken.kind {
        case .real(let v) where v >= 3 && v < 4: break
        case .integer(3): break
        default:
            throw error("unsupported OpenQASM version \(versionToken.quoted): 2.0 and 3.0 are supported", at: versionToken,
                        code: .qasmUnsupported)
        }
        _ = advance()
        try expectSymbol(";", "after the version")
        while true {
            if case .eof = current.kind { break }
            try parseStatement()
        }
        return QuantumCircuit(quantumRegisters: quantumOrder, classicalRegisters: classicalOrder, operations: operations,
                              globalPhase: globalPhase)
    }

    private mutating func parseStatement() throws(QuantumError) {
        let token = current
        guard case .identifier(let word) = token.kind else {
            throw error("expected a statement, found \(token.quoted)", at: token)
        }
        if classicalRegisters[word] != nil {
            try parseMeasureAssignment()
            return
        }
        switch word {
        case "OPENQASM":
            throw error("the OPENQASM header must be the first statement", at: token)
        case "include":
            _ = advance()
            let fileToken = current
            guard case .string(let name) = fileToken.kind else {
                throw error("expected a file name string after 'include', found \(fileToken.quoted)", at: fileToken)
            }
            guard name == "stdgates.inc" else {
                throw error("unsupported include \"\(name)\": only \"stdgates.inc\" is available", at: fileToken,
                            code: .qasmUnsupported)
            }
            _ = advance()
            try expectSymbol(";", "after include")
            includedStdgates = true
        case "qubit", "bit":
            _ = advance()
            var size: (Int, QASMToken)?
            if isSymbol("[") {
                _ = advance()
                size = try expectInteger("a register size")
                try expectSymbol("]", "after the register size")
            }
            let (name, nameToken) = try expectIdentifier("a register name")
            try expectSymbol(";", "after the declaration")
            try declareRegister(name, nameToken, size: size, quantum: word == "qubit")
        case "qreg", "creg":
            _ = advance()
            let (name, nameToken) = try expectIdentifier("a register name")
            var size: (Int, QASMToken)?
            if isSymbol("[") {
                _ = advance()
                size = try expectInteger("a register size")
                try expectSymbol("]", "after the register size")
            }
            try expectSymbol(";", "after the declaration")
            try declareRegister(name, nameToken, size: size, quantum: word == "qreg")
        case "input":
            _ = advance()
            try parseInput()
        case "gate":
            _ = advance()
            try parseGateDefinition()
        case "measure":
            _ = advance()
            let source = try parseArgument()
            guard isSymbol("->") else {
                throw error("a measurement needs a target bit ('c = measure q;' or 'measure q -> c;')", at: token,
                            code: .qasmUnsupported)
            }
            _ = advance()
            let target = try parseArgument()
            try expectSymbol(";", "after measure")
            try appendMeasurement(source: source, target: target)
        case "reset":
            _ = advance()
            let arg = try parseArgument()
            try expectSymbol(";", "after reset")
            for q in try resolveQuantum(arg) { try append(.reset(qubit: q), at: token) }
        case "barrier":
            _ = advance()
            var qubits: [Int] = []
            if isSymbol(";") {
                qubits = Array(0..<qubitTotal)
            } else {
                for arg in try parseArgumentList() { qubits += try resolveQuantum(arg) }
            }
            try expectSymbol(";", "after barrier")
            try append(.barrier(qubits: qubits), at: token)
        case "gphase":
            _ = advance()
            let arguments = try parseExpressionList(scope: inputValues)
            guard arguments.count == 1 else {
                throw error("gphase takes 1 parameter, got \(arguments.count)", at: token, code: .qasmSemantic)
            }
            guard isSymbol(";") else {
                throw error("gphase acts on no qubits, found \(current.quoted)", at: current, code: .qasmSemantic)
            }
            _ = advance()
            let phase = try arguments[0].evaluate(inputValues, fileName: fileName)
            if bindingSteps != nil, arguments[0].references({ _ in true }) {
                record(.phase(arguments[0]))
            } else {
                globalPhase += phase
            }
        default:
            if Self.unsupportedKeywords.contains(word) {
                throw error("'\(word)' statements are not supported", at: token, code: .qasmUnsupported)
            }
            if Self.modifiers.contains(word) {
                throw error("gate modifiers ('\(word) @') are not supported", at: token, code: .qasmUnsupported)
            }
            if case .symbol(let s) = next.kind, s == "=" || s == "[" {
                // `name = measure ...` or `name[i] = ...` with a name that is not a classical register.
                if s == "=" || quantumRegisters[word] == nil {
                    throw undeclared(word, kind: "classical", at: token)
                }
            }
            try parseGateCall()
        }
    }

    private mutating func append(_ op: QuantumOperation, at token: QASMToken) throws(QuantumError) {
        guard operations.count < Self.maxOperations else {
            throw error("the program expands to more than \(Self.maxOperations) operations", at: token,
                        code: .simulatorLimit)
        }
        operations.append(op)
    }

    private func isDeclared(_ name: String) -> Bool {
        quantumRegisters[name] != nil || classicalRegisters[name] != nil || userGates[name] != nil
            || inputValues[name] != nil
    }

    private func checkNewName(_ name: String, _ token: QASMToken, what: String) throws(QuantumError) {
        if Self.unsupportedKeywords.contains(name) || Self.modifiers.contains(name) || Self.functions.contains(name)
            || Self.constants[name] != nil
            || ["OPENQASM", "include", "qubit", "bit", "qreg", "creg", "input", "gate", "measure", "reset",
                "barrier", "gphase", "U"].contains(name) {
            throw error("'\(name)' is a reserved word and cannot name a \(what)", at: token)
        }
        if isDeclared(name) || (includedStdgates && Self.standardGates[name] != nil) {
            throw error("'\(name)' is already declared", at: token, code: .qasmSemantic)
        }
    }

    private mutating func declareRegister(_ name: String, _ nameToken: QASMToken, size: (Int, QASMToken)?,
                                          quantum: Bool) throws(QuantumError) {
        try checkNewName(name, nameToken, what: "register")
        let count = size?.0 ?? 1
        if let (value, token) = size {
            guard value >= 1 else { throw error("register size must be at least 1", at: token, code: .qasmSemantic) }
            guard value <= 1 << 20 else { throw error("register size \(value) is too large", at: token, code: .qasmSemantic) }
        }
        if quantum {
            guard qubitTotal + count <= 1 << 20 else {
                throw error("the program declares more than \(1 << 20) qubits", at: nameToken, code: .qasmSemantic)
            }
            quantumRegisters[name] = RegisterInfo(offset: qubitTotal, size: count, isSingle: size == nil)
            quantumOrder.append(.init(name: name, size: count))
            qubitTotal += count
        } else {
            guard clbitTotal + count <= 1 << 20 else {
                throw error("the program declares more than \(1 << 20) bits", at: nameToken, code: .qasmSemantic)
            }
            classicalRegisters[name] = RegisterInfo(offset: clbitTotal, size: count, isSingle: size == nil)
            classicalOrder.append(.init(name: name, size: count))
            clbitTotal += count
        }
    }

    /// `input float[64] name;` (or `float`, `angle`, `angle[n]`): a circuit parameter.
    private mutating func parseInput() throws(QuantumError) {
        let (type, typeToken) = try expectIdentifier("an input type")
        guard type == "float" || type == "angle" else {
            throw error("input of type '\(type)' is not supported: only float and angle inputs can be circuit parameters",
                        at: typeToken, code: .qasmUnsupported)
        }
        if isSymbol("[") {
            _ = advance()
            let (width, widthToken) = try expectInteger("a type width")
            guard width >= 1, width <= 64 else {
                throw error("\(type) width must be in 1...64, got \(width)", at: widthToken, code: .qasmSemantic)
            }
            try expectSymbol("]", "after the type width")
        }
        let (name, nameToken) = try expectIdentifier("an input name")
        try expectSymbol(";", "after the input declaration")
        try checkNewName(name, nameToken, what: "parameter")
        inputs.append(Input(name: name, token: nameToken))
        inputValues[name] = bindings[name] ?? .nan
    }

    // MARK: - Arguments

    private mutating func parseArgument() throws(QuantumError) -> Argument {
        let (name, token) = try expectIdentifier("a qubit or bit")
        guard isSymbol("[") else { return .register(name, token) }
        _ = advance()
        let indexToken = current
        var start: Int?
        if !isSymbol(":") { start = try expectSignedInteger("an index").0 }
        guard isSymbol(":") else {
            try expectSymbol("]", "after the index")
            return .indexed(name, start ?? 0, token, indexToken)
        }
        _ = advance()
        var step = 1
        var end: Int?
        if !isSymbol("]") {
            end = try expectSignedInteger("a range end").0
            if isSymbol(":") {
                _ = advance()
                step = end ?? 1
                end = nil
                if !isSymbol("]") { end = try expectSignedInteger("a range end").0 }
            }
        }
        try expectSymbol("]", "after the range")
        guard step != 0 else { throw error("a range step cannot be 0", at: indexToken, code: .qasmSemantic) }
        return .range(name, start: start, step: step, end: end, token, indexToken)
    }

    private mutating func parseArgumentList() throws(QuantumError) -> [Argument] {
        var args = [try parseArgument()]
        while isSymbol(",") {
            _ = advance()
            args.append(try parseArgument())
        }
        return args
    }

    private func resolve(_ arg: Argument, in registers: [String: RegisterInfo], kind: String) throws(QuantumError) -> [Int] {
        let name: String
        switch arg {
        case .register(let n, _), .indexed(let n, _, _, _), .range(let n, _, _, _, _, _): name = n
        }
        guard let reg = registers[name] else { throw undeclared(name, kind: kind, at: arg.token) }
        switch arg {
        case .register:
            return Array(reg.offset..<(reg.offset + reg.size))
        case .indexed(_, let index, _, let indexToken):
            if reg.isSingle {
                throw error("'\(name)' is a single \(kind == "quantum" ? "qubit" : "bit") and cannot be indexed",
                            at: indexToken, code: .qasmSemantic)
            }
            let resolved = index < 0 ? index + reg.size : index
            guard resolved >= 0, resolved < reg.size else {
                throw error("index \(index) is out of range for register '\(name)' of size \(reg.size)", at: indexToken,
                            code: .qasmSemantic)
            }
            return [reg.offset + resolved]
        case .range(_, let start, let step, let end, _, let indexToken):
            if reg.isSingle {
                throw error("'\(name)' is a single \(kind == "quantum" ? "qubit" : "bit") and cannot be indexed",
                            at: indexToken, code: .qasmSemantic)
            }
            func normalise(_ i: Int?, _ fallback: Int) throws(QuantumError) -> Int {
                guard let i else { return fallback }
                let r = i < 0 ? i + reg.size : i
                guard r >= 0, r < reg.size else {
                    throw error("index \(i) is out of range for register '\(name)' of size \(reg.size)", at: indexToken,
                                code: .qasmSemantic)
                }
                return r
            }
            let first = try normalise(start, step > 0 ? 0 : reg.size - 1)
            let last = try normalise(end, step > 0 ? reg.size - 1 : 0)
            let indices = Array(stride(from: first, through: last, by: step))
            guard !indices.isEmpty else { throw error("the range selects no \(kind == "quantum" ? "qubit" : "bit")", at: indexToken, code: .qasmSemantic) }
            return indices.map { reg.offset + $0 }
        }
    }

    private func undeclared(_ name: String, kind: String, at token: QASMToken) -> QuantumError {
        let other = kind == "quantum" ? classicalRegisters[name] != nil : quantumRegisters[name] != nil
        let detail = other ? "'\(name)' is not a \(kind) register" : "undeclared \(kind) register '\(name)'"
        return error(detail, at: token, code: .qasmSemantic)
    }

    private func resolveQuantum(_ arg: Argument) throws(QuantumError) -> [Int] {
        try resolve(arg, in: quantumRegisters, kind: "quantum")
    }

    // MARK: - Measurement

    /// `c[0] = measure q[0];` and `c = measure q;`.
    private mutating func parseMeasureAssignment() throws(QuantumError) {
        let target = try parseArgument()
        try expectSymbol("=", "after the bit to assign")
        guard isIdentifier("measure") else {
            throw error("only 'measure' can be assigned to a bit, found \(current.quoted)", at: current,
                        code: .qasmUnsupported)
        }
        _ = advance()
        let source = try parseArgument()
        try expectSymbol(";", "after measure")
        try appendMeasurement(source: source, target: target)
    }

    private mutating func appendMeasurement(source: Argument, target: Argument) throws(QuantumError) {
        let qubits = try resolveQuantum(source)
        let clbits = try resolve(target, in: classicalRegisters, kind: "classical")
        guard qubits.count == clbits.count else {
            throw error("measure needs as many bits as qubits (got \(qubits.count) qubit(s) and \(clbits.count) bit(s))",
                        at: source.token, code: .qasmSemantic)
        }
        for (q, c) in zip(qubits, clbits) { try append(.measure(qubit: q, clbit: c), at: source.token) }
    }

    // MARK: - Expressions

    private mutating func parseExpressionList(scope: [String: Double]) throws(QuantumError) -> [QASMExpression] {
        var list: [QASMExpression] = []
        expressionNodes = 0
        try expectSymbol("(", "before parameters")
        if isSymbol(")") {
            _ = advance()
            return list
        }
        list.append(try parseExpression(scope))
        while isSymbol(",") {
            _ = advance()
            list.append(try parseExpression(scope))
        }
        try expectSymbol(")", "after parameters")
        return list
    }

    private mutating func parseExpression(_ scope: [String: Double]) throws(QuantumError) -> QASMExpression {
        expressionDepth += 1
        defer { expressionDepth -= 1 }
        guard expressionDepth <= Self.maxExpressionDepth else {
            throw error("expression nested too deeply", at: current)
        }
        var lhs = try parseTerm(scope)
        while isSymbol("+") || isSymbol("-") {
            let opToken = advance()
            let rhs = try parseTerm(scope)
            lhs = .binary(opToken.text == "+" ? "+" : "-", lhs, rhs, opToken)
        }
        return lhs
    }

    private mutating func parseTerm(_ scope: [String: Double]) throws(QuantumError) -> QASMExpression {
        var lhs = try parseUnary(scope)
        while isSymbol("*") || isSymbol("/") {
            let opToken = advance()
            let rhs = try parseUnary(scope)
            lhs = .binary(opToken.text == "*" ? "*" : "/", lhs, rhs, opToken)
        }
        if isSymbol("^") {
            throw error("'^' is bitwise XOR in OpenQASM 3 and has no meaning for angles; use '**' for powers",
                        at: current, code: .qasmSemantic)
        }
        return lhs
    }

    // `**` binds tighter than unary minus: -2**2 is -(2**2), as the OpenQASM 3 grammar says.
    private mutating func parseUnary(_ scope: [String: Double]) throws(QuantumError) -> QASMExpression {
        expressionNodes += 1
        guard expressionNodes <= Self.maxExpressionNodes else {
            throw error("expression has more than \(Self.maxExpressionNodes) terms", at: current)
        }
        expressionDepth += 1
        defer { expressionDepth -= 1 }
        guard expressionDepth <= Self.maxExpressionDepth else {
            throw error("expression nested too deeply", at: current)
        }
        if isSymbol("-") {
            _ = advance()
            return .negate(try parseUnary(scope))
        }
        if isSymbol("+") {
            _ = advance()
            return try parseUnary(scope)
        }
        let base = try parsePrimary(scope)
        if isSymbol("**") {
            let opToken = advance()
            let exponent = try parseUnary(scope)
            return .binary("^", base, exponent, opToken)
        }
        return base
    }

    private mutating func parsePrimary(_ scope: [String: Double]) throws(QuantumError) -> QASMExpression {
        let token = current
        switch token.kind {
        case .integer(let v):
            _ = advance()
            return .number(Double(v))
        case .real(let v):
            _ = advance()
            return .number(v)
        case .symbol("("):
            _ = advance()
            let inner = try parseExpression(scope)
            try expectSymbol(")", "to close the parenthesis")
            return inner
        case .identifier(let name):
            _ = advance()
            if let value = Self.constants[name] { return .number(value) }
            if Self.functions.contains(name) {
                try expectSymbol("(", "after '\(name)'")
                let arg = try parseExpression(scope)
                try expectSymbol(")", "after the argument of '\(name)'")
                return .function(name, arg, token)
            }
            guard scope[name] != nil else {
                throw error("unknown identifier '\(name)' in expression", at: token, code: .qasmSemantic)
            }
            return .parameter(name, token)
        default:
            throw error("expected an expression, found \(token.quoted)", at: token)
        }
    }

    // MARK: - Gate definitions

    private mutating func parseGateDefinition() throws(QuantumError) {
        let (name, nameToken) = try expectIdentifier("a gate name")
        try checkNewName(name, nameToken, what: "gate")
        var parameterNames: [String] = []
        if isSymbol("(") {
            _ = advance()
            if !isSymbol(")") {
                repeat {
                    if !parameterNames.isEmpty { _ = advance() }
                    let (p, pToken) = try expectIdentifier("a parameter name")
                    if parameterNames.contains(p) {
                        throw error("duplicate parameter '\(p)'", at: pToken, code: .qasmSemantic)
                    }
                    parameterNames.append(p)
                } while isSymbol(",")
            }
            try expectSymbol(")", "after the gate parameters")
        }
        var qubitNames: [String] = []
        repeat {
            if !qubitNames.isEmpty { _ = advance() }
            let (q, qToken) = try expectIdentifier("a qubit argument name")
            if qubitNames.contains(q) || parameterNames.contains(q) {
                throw error("duplicate argument '\(q)'", at: qToken, code: .qasmSemantic)
            }
            qubitNames.append(q)
        } while isSymbol(",")
        try expectSymbol("{", "to start the gate body")
        // Gate bodies see their own parameters only, never the program's inputs; the values are
        // placeholders for parsing, the real ones come at expansion.
        var scope: [String: Double] = [:]
        for p in parameterNames { scope[p] = 0 }
        var body: [BodyStatement] = []
        while !isSymbol("}") {
            let token = current
            guard case .identifier(let callee) = token.kind else {
                if case .eof = token.kind { throw error("unterminated body of gate '\(name)'", at: token) }
                throw error("expected a gate call in the body of '\(name)', found \(token.quoted)", at: token)
            }
            _ = advance()
            if callee == "barrier" {
                if !isSymbol(";") { _ = try parseBodyQubits(qubitNames) }
                try expectSymbol(";", "after barrier")
                continue
            }
            if callee == "gphase" {
                let arguments = try parseExpressionList(scope: scope)
                guard arguments.count == 1 else {
                    throw error("gphase takes 1 parameter, got \(arguments.count)", at: token, code: .qasmSemantic)
                }
                try expectSymbol(";", "after gphase")
                body.append(.globalPhase(arguments[0]))
                continue
            }
            if Self.modifiers.contains(callee) {
                throw error("gate modifiers ('\(callee) @') are not supported", at: token, code: .qasmUnsupported)
            }
            if ["measure", "reset", "qubit", "bit", "qreg", "creg", "gate", "input"].contains(callee)
                || Self.unsupportedKeywords.contains(callee) {
                throw error("'\(callee)' is not allowed inside a gate body", at: token, code: .qasmSemantic)
            }
            let arguments = isSymbol("(") ? try parseExpressionList(scope: scope) : []
            let qubits = try parseBodyQubits(qubitNames)
            try expectSymbol(";", "after the gate call")
            try checkCallable(callee, token: token, parameterCount: arguments.count, qubitCount: qubits.count)
            body.append(.call(name: callee, token: token, arguments: arguments, qubits: qubits))
        }
        _ = advance()
        userGates[name] = GateDefinition(name: name, parameters: parameterNames, qubitArguments: qubitNames, body: body)
    }

    private mutating func parseBodyQubits(_ formal: [String]) throws(QuantumError) -> [Int] {
        var result: [Int] = []
        repeat {
            if !result.isEmpty { _ = advance() }
            let (name, token) = try expectIdentifier("a qubit argument")
            guard let index = formal.firstIndex(of: name) else {
                throw error("'\(name)' is not a qubit argument of this gate", at: token, code: .qasmSemantic)
            }
            if isSymbol("[") { throw error("indexing is not allowed inside a gate body", at: current) }
            if result.contains(index) { throw error("duplicate qubit argument '\(name)'", at: token, code: .qasmSemantic) }
            result.append(index)
        } while isSymbol(",")
        return result
    }

    /// `U` is built in; stdgates.inc names come next (only after the include), then definitions.
    private func lookup(_ name: String) -> (native: GateKind?, user: GateDefinition?) {
        if name == "U" { return (.u, nil) }
        if includedStdgates, let native = Self.standardGates[name] { return (native, nil) }
        return (nil, userGates[name])
    }

    private func checkCallable(_ name: String, token: QASMToken, parameterCount: Int, qubitCount: Int) throws(QuantumError) {
        let (native, user) = lookup(name)
        let expectedParameters: Int
        let expectedQubits: Int
        if let native {
            expectedParameters = native.parameterCount
            expectedQubits = native.qubitCount
        } else if let user {
            expectedParameters = user.parameters.count
            expectedQubits = user.qubitArguments.count
        } else {
            var message = "unknown gate '\(name)'"
            if !includedStdgates, Self.standardGates[name] != nil { message += " (missing include \"stdgates.inc\"?)" }
            throw error(message, at: token, code: .qasmSemantic)
        }
        guard parameterCount == expectedParameters else {
            throw error("gate '\(name)' takes \(expectedParameters) parameter(s), got \(parameterCount)", at: token,
                        code: .qasmSemantic)
        }
        guard qubitCount == expectedQubits else {
            throw error("gate '\(name)' acts on \(expectedQubits) qubit(s), got \(qubitCount)", at: token, code: .qasmSemantic)
        }
    }

    // MARK: - Gate calls

    private mutating func parseGateCall() throws(QuantumError) {
        let (name, token) = try expectIdentifier("a gate name")
        let expressions = isSymbol("(") ? try parseExpressionList(scope: inputValues) : []
        let args = try parseArgumentList()
        try expectSymbol(";", "after the gate call")
        try checkCallable(name, token: token, parameterCount: expressions.count, qubitCount: args.count)
        var values: [Double] = []
        var symbols: [Symbol?] = []
        for e in expressions {
            values.append(try e.evaluate(inputValues, fileName: fileName))
            // At the top level every parameter an expression reads is an input.
            if bindingSteps != nil, e.references({ _ in true }) {
                let size = e.size([:])
                symbols.append(Symbol(expression: e, size: size))
                if lookup(name).native == nil { record(.check(e)) }
            } else {
                symbols.append(nil)
            }
        }

        var resolved: [[Int]] = []
        var broadcast = 1
        for arg in args {
            let qubits = try resolveQuantum(arg)
            // A whole register of one qubit (`qubit a;`) is a single operand, not a broadcast.
            if arg.isWholeRegister, qubits.count != 1 {
                if broadcast != 1, qubits.count != broadcast {
                    throw error("registers in a broadcast gate call must have the same size (\(broadcast) vs \(qubits.count))",
                                at: arg.token, code: .qasmSemantic)
                }
                broadcast = qubits.count
            }
            resolved.append(qubits)
        }
        for instance in 0..<broadcast {
            let qubits = resolved.map { $0.count == 1 ? $0[0] : $0[instance] }
            if Set(qubits).count != qubits.count {
                throw error("gate '\(name)' uses the same qubit more than once", at: token, code: .qasmSemantic)
            }
            try apply(name, parameters: values, symbols: symbols, qubits: qubits, token: token, depth: 0)
        }
    }

    private mutating func apply(_ name: String, parameters: [Double], symbols: [Symbol?], qubits: [Int], token: QASMToken,
                                depth: Int) throws(QuantumError) {
        // Counted per call, not per operation: nested definitions with empty bodies expand
        // exponentially without appending anything.
        expansionSteps += 1
        guard expansionSteps <= Self.maxOperations else {
            throw error("the program expands to more than \(Self.maxOperations) gate applications", at: token,
                        code: .simulatorLimit)
        }
        let (native, user) = lookup(name)
        if let native {
            try append(.gate(QuantumGate(native, qubits, parameters)), at: token)
            for (k, symbol) in symbols.enumerated() {
                if let symbol { record(.parameter(operation: operations.count - 1, index: k, symbol.expression)) }
            }
            return
        }
        guard let user, depth < 64 else {
            throw error("gate '\(name)' cannot be expanded", at: token, code: .qasmSemantic)
        }
        var bindings: [String: Double] = [:]
        for (p, v) in zip(user.parameters, parameters) { bindings[p] = v }
        // Formals bound to input-dependent angles; the others are plain numbers.
        var substitution: [String: QASMExpression] = [:]
        var sizes: [String: Int] = [:]
        var symbolic = Set<String>()
        for (k, p) in user.parameters.enumerated() {
            if k < symbols.count, let symbol = symbols[k] {
                substitution[p] = symbol.expression
                sizes[p] = symbol.size
                symbolic.insert(p)
            } else {
                substitution[p] = .number(bindings[p] ?? 0)
            }
        }
        func symbol(_ e: QASMExpression) -> Symbol? {
            guard bindingSteps != nil, !symbolic.isEmpty, e.references({ symbolic.contains($0) }) else { return nil }
            let size = e.size(sizes)
            if size > Self.maxRecordedNodes { bindingSteps = nil }
            return Symbol(expression: e.substituting(substitution), size: size)
        }
        for statement in user.body {
            switch statement {
            case .call(let callee, let callToken, let arguments, let formal):
                var values: [Double] = []
                var inner: [Symbol?] = []
                for e in arguments {
                    values.append(try e.evaluate(bindings, fileName: fileName))
                    inner.append(symbol(e))
                }
                try apply(callee, parameters: values, symbols: inner, qubits: formal.map { qubits[$0] }, token: callToken,
                          depth: depth + 1)
            case .globalPhase(let e):
                let phase = try e.evaluate(bindings, fileName: fileName)
                if let s = symbol(e) { record(.phase(s.expression)) } else { globalPhase += phase }
            }
        }
    }
}
