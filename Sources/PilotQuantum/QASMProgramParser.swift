/// Recursive-descent parser over the OpenQASM 2 token stream; see `QASMParser` for the supported
/// language.
struct QASMProgramParser {
    private struct GateDefinition {
        var name: String
        var parameters: [String]
        var qubitArguments: [String]
        var body: [BodyStatement]
        var isOpaque: Bool
    }

    private struct BodyStatement {
        var name: String
        var token: QASMToken
        var arguments: [QASMExpression]
        var qubits: [Int]
    }

    private enum Argument {
        case register(String, QASMToken)
        case indexed(String, Int, QASMToken, QASMToken)

        var token: QASMToken {
            switch self {
            case .register(_, let t): return t
            case .indexed(_, _, let t, _): return t
            }
        }
    }

    private struct RegisterInfo {
        var offset: Int
        var size: Int
    }

    private let tokens: [QASMToken]
    private let fileName: String
    private var position = 0
    private var includedQelib = false
    /// Set while qelib1.inc's own decompositions are read, which define what programs may only redefine.
    private var readingLibrary = false
    private var quantumRegisters: [String: RegisterInfo] = [:]
    private var classicalRegisters: [String: RegisterInfo] = [:]
    private var quantumOrder: [QuantumCircuit.Register] = []
    private var classicalOrder: [QuantumCircuit.Register] = []
    private var userGates: [String: GateDefinition] = [:]
    private var operations: [QuantumOperation] = []
    private var qubitTotal = 0
    private var expansionSteps = 0
    private static let maxExpansionSteps = 1 << 22
    private var clbitTotal = 0
    /// Nesting of expressions; bounded so hostile input cannot exhaust the stack.
    private var expressionDepth = 0
    private static let maxExpressionDepth = 200
    /// Long sums build deep trees too (evaluation and deallocation are recursive), so bound the size.
    private var expressionNodes = 0
    private static let maxExpressionNodes = 4096

    private static let reserved: Set<String> = [
        "OPENQASM", "include", "qreg", "creg", "gate", "opaque", "measure", "reset", "barrier", "if", "pi",
        "sin", "cos", "tan", "exp", "ln", "sqrt", "U", "CX",
    ]
    private static let functions: Set<String> = ["sin", "cos", "tan", "exp", "ln", "sqrt"]

    init(tokens: [QASMToken], fileName: String) {
        self.tokens = tokens
        self.fileName = fileName
    }

    // MARK: - Token helpers

    private var current: QASMToken { tokens[min(position, tokens.count - 1)] }

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

    // MARK: - Program

    mutating func parseProgram() throws(QuantumError) -> QuantumCircuit {
        if isIdentifier("OPENQASM") {
            _ = advance()
            let versionToken = current
            switch versionToken.kind {
            case .real(let v) where v == 2.0: break
            case .integer(2): break
            default:
                throw error("unsupported OpenQASM version \(versionToken.quoted): 2.0 and 3.0 are supported", at: versionToken,
                            code: .qasmUnsupported)
            }
            _ = advance()
            try expectSymbol(";", "after the version")
        }
        while true {
            if case .eof = current.kind { break }
            try parseStatement()
        }
        return QuantumCircuit(quantumRegisters: quantumOrder, classicalRegisters: classicalOrder, operations: operations)
    }

    private mutating func parseStatement() throws(QuantumError) {
        let token = current
        guard case .identifier(let word) = token.kind else {
            throw error("expected a statement, found \(token.quoted)", at: token)
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
            guard name == "qelib1.inc" else {
                throw error("unsupported include \"\(name)\": only \"qelib1.inc\" is available", at: fileToken,
                            code: .qasmUnsupported)
            }
            _ = advance()
            try expectSymbol(";", "after include")
            if !includedQelib {
                includedQelib = true
                try defineQelib1Decompositions()
            }
        case "qreg", "creg":
            _ = advance()
            try parseRegister(quantum: word == "qreg")
        case "gate":
            _ = advance()
            try parseGateDefinition(opaque: false)
        case "opaque":
            _ = advance()
            try parseGateDefinition(opaque: true)
        case "measure":
            _ = advance()
            try parseMeasure()
        case "reset":
            _ = advance()
            let arg = try parseArgument()
            try expectSymbol(";", "after reset")
            for q in try resolveQuantum(arg) { operations.append(.reset(qubit: q)) }
        case "barrier":
            _ = advance()
            let args = try parseArgumentList()
            try expectSymbol(";", "after barrier")
            var qubits: [Int] = []
            for arg in args { qubits += try resolveQuantum(arg) }
            operations.append(.barrier(qubits: qubits))
        case "if":
            throw error("classically controlled 'if' statements are not supported", at: token, code: .qasmUnsupported)
        default:
            try parseGateCall()
        }
    }

    /// Defines the qelib1.inc gates that are decompositions (`qelib1Decomposed`) from the library
    /// text's definitions, as if the program contained them.
    private mutating func defineQelib1Decompositions() throws(QuantumError) {
        for (name, definition) in Self.qelib1Definitions where userGates[name] == nil { userGates[name] = definition }
    }

    /// The library text read once per process: it is a constant, and reading it again for every
    /// program that includes qelib1.inc cost more than most programs themselves.
    private static let qelib1Definitions: [String: GateDefinition] = {
        var library = QASMProgramParser(tokens: qelib1DecomposedTokens, fileName: "qelib1.inc")
        library.includedQelib = true
        library.readingLibrary = true
        do throws(QuantumError) {
            while true {
                if case .eof = library.current.kind { break }
                try library.parseStatement()
            }
        } catch {
            preconditionFailure("qelib1DecomposedSource does not parse: \(error)")
        }
        return library.userGates
    }()

    private mutating func parseRegister(quantum: Bool) throws(QuantumError) {
        let (name, nameToken) = try expectIdentifier("a register name")
        if Self.reserved.contains(name) {
            throw error("'\(name)' is a reserved word and cannot name a register", at: nameToken)
        }
        if quantumRegisters[name] != nil || classicalRegisters[name] != nil {
            throw error("register '\(name)' is already declared", at: nameToken, code: .qasmSemantic)
        }
        try expectSymbol("[", "after the register name")
        let (size, sizeToken) = try expectInteger("a register size")
        guard size >= 1 else { throw error("register size must be at least 1", at: sizeToken, code: .qasmSemantic) }
        guard size <= 1 << 20 else { throw error("register size \(size) is too large", at: sizeToken, code: .qasmSemantic) }
        try expectSymbol("]", "after the register size")
        try expectSymbol(";", "after the register declaration")
        if quantum {
            quantumRegisters[name] = RegisterInfo(offset: qubitTotal, size: size)
            quantumOrder.append(.init(name: name, size: size))
            qubitTotal += size
        } else {
            classicalRegisters[name] = RegisterInfo(offset: clbitTotal, size: size)
            classicalOrder.append(.init(name: name, size: size))
            clbitTotal += size
        }
    }

    // MARK: - Arguments

    private mutating func parseArgument() throws(QuantumError) -> Argument {
        let (name, token) = try expectIdentifier("a register name")
        if isSymbol("[") {
            _ = advance()
            let (index, indexToken) = try expectInteger("an index")
            try expectSymbol("]", "after the index")
            return .indexed(name, index, token, indexToken)
        }
        return .register(name, token)
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
        switch arg {
        case .register(let name, let token):
            guard let reg = registers[name] else { throw undeclared(name, kind: kind, at: token) }
            return Array(reg.offset..<(reg.offset + reg.size))
        case .indexed(let name, let index, let token, let indexToken):
            return [try resolve(name, index, token, indexToken, in: registers, kind: kind)]
        }
    }

    private func resolve(_ name: String, _ index: Int, _ token: QASMToken, _ indexToken: QASMToken,
                         in registers: [String: RegisterInfo], kind: String) throws(QuantumError) -> Int {
        guard let reg = registers[name] else { throw undeclared(name, kind: kind, at: token) }
        guard index >= 0, index < reg.size else {
            throw error("index \(index) is out of range for register '\(name)' of size \(reg.size)", at: indexToken,
                        code: .qasmSemantic)
        }
        return reg.offset + index
    }

    /// The qubits of a call whose arguments are all single qubits (`q[0], q[3]`), in one array;
    /// nil when one names a whole register (a broadcast). Same checks and errors as `resolve`.
    private func indexedQubits(_ args: [Argument]) throws(QuantumError) -> [Int]? {
        var qubits: [Int] = []
        qubits.reserveCapacity(args.count)
        for arg in args {
            guard case .indexed(let name, let index, let token, let indexToken) = arg else { return nil }
            qubits.append(try resolve(name, index, token, indexToken, in: quantumRegisters, kind: "quantum"))
        }
        return qubits
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

    private mutating func parseMeasure() throws(QuantumError) {
        let source = try parseArgument()
        try expectSymbol("->", "in measure")
        let target = try parseArgument()
        try expectSymbol(";", "after measure")
        let qubits = try resolveQuantum(source)
        let clbits = try resolve(target, in: classicalRegisters, kind: "classical")
        let sourceIsRegister: Bool
        if case .register = source { sourceIsRegister = true } else { sourceIsRegister = false }
        let targetIsRegister: Bool
        if case .register = target { targetIsRegister = true } else { targetIsRegister = false }
        guard sourceIsRegister == targetIsRegister, qubits.count == clbits.count else {
            throw error("measure needs a qubit and a bit, or two registers of the same size (got \(qubits.count) qubit(s) and \(clbits.count) bit(s))",
                        at: source.token, code: .qasmSemantic)
        }
        for (q, c) in zip(qubits, clbits) { operations.append(.measure(qubit: q, clbit: c)) }
    }

    // MARK: - Expressions

    private mutating func parseExpressionList(allowed parameters: Set<String>) throws(QuantumError) -> [QASMExpression] {
        var list: [QASMExpression] = []
        expressionNodes = 0
        try expectSymbol("(", "before parameters")
        if isSymbol(")") {
            _ = advance()
            return list
        }
        list.append(try parseExpression(parameters))
        while isSymbol(",") {
            _ = advance()
            list.append(try parseExpression(parameters))
        }
        try expectSymbol(")", "after parameters")
        return list
    }

    private mutating func parseExpression(_ parameters: Set<String>) throws(QuantumError) -> QASMExpression {
        expressionDepth += 1
        defer { expressionDepth -= 1 }
        guard expressionDepth <= Self.maxExpressionDepth else {
            throw error("expression nested too deeply", at: current)
        }
        var lhs = try parseTerm(parameters)
        while isSymbol("+") || isSymbol("-") {
            let opToken = advance()
            let rhs = try parseTerm(parameters)
            lhs = .binary(opToken.text == "+" ? "+" : "-", lhs, rhs, opToken)
        }
        return lhs
    }

    private mutating func parseTerm(_ parameters: Set<String>) throws(QuantumError) -> QASMExpression {
        var lhs = try parseUnary(parameters)
        while isSymbol("*") || isSymbol("/") {
            let opToken = advance()
            let rhs = try parseUnary(parameters)
            lhs = .binary(opToken.text == "*" ? "*" : "/", lhs, rhs, opToken)
        }
        return lhs
    }

    // Unary minus binds looser than '^', so -2^2 is -(2^2) as in ordinary mathematics.
    private mutating func parseUnary(_ parameters: Set<String>) throws(QuantumError) -> QASMExpression {
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
            return .negate(try parseUnary(parameters))
        }
        if isSymbol("+") {
            _ = advance()
            return try parseUnary(parameters)
        }
        return try parsePower(parameters)
    }

    private mutating func parsePower(_ parameters: Set<String>) throws(QuantumError) -> QASMExpression {
        let base = try parsePrimary(parameters)
        if isSymbol("^") {
            let opToken = advance()
            let exponent = try parseUnary(parameters)
            return .binary("^", base, exponent, opToken)
        }
        return base
    }

    private mutating func parsePrimary(_ parameters: Set<String>) throws(QuantumError) -> QASMExpression {
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
            let inner = try parseExpression(parameters)
            try expectSymbol(")", "to close the parenthesis")
            return inner
        case .identifier(let name):
            _ = advance()
            if name == "pi" { return .pi }
            if Self.functions.contains(name) {
                try expectSymbol("(", "after '\(name)'")
                let arg = try parseExpression(parameters)
                try expectSymbol(")", "after the argument of '\(name)'")
                return .function(name, arg, token)
            }
            guard parameters.contains(name) else {
                throw error("unknown identifier '\(name)' in expression", at: token, code: .qasmSemantic)
            }
            return .parameter(name, token)
        default:
            throw error("expected an expression, found \(token.quoted)", at: token)
        }
    }

    // MARK: - Gate definitions

    private mutating func parseGateDefinition(opaque: Bool) throws(QuantumError) {
        let (name, nameToken) = try expectIdentifier("a gate name")
        if Self.reserved.contains(name) {
            throw error("'\(name)' is a reserved word and cannot name a gate", at: nameToken)
        }
        // Like a native gate, a qelib1.inc decomposition may be defined again with the same
        // signature (Qiskit's exporters write such definitions); the library's stays in use.
        let redefinesLibrary = includedQelib && !readingLibrary && Self.qelib1Decomposed.contains(name)
        if userGates[name] != nil, !redefinesLibrary {
            throw error("gate '\(name)' is already defined", at: nameToken, code: .qasmSemantic)
        }
        var parameterNames: [String] = []
        if isSymbol("(") {
            _ = advance()
            if !isSymbol(")") {
                parameterNames.append(try expectIdentifier("a parameter name").0)
                while isSymbol(",") {
                    _ = advance()
                    parameterNames.append(try expectIdentifier("a parameter name").0)
                }
            }
            try expectSymbol(")", "after the gate parameters")
        }
        var qubitNames = [try expectIdentifier("a qubit argument name").0]
        while isSymbol(",") {
            _ = advance()
            let (q, qToken) = try expectIdentifier("a qubit argument name")
            if qubitNames.contains(q) { throw error("duplicate qubit argument '\(q)'", at: qToken, code: .qasmSemantic) }
            qubitNames.append(q)
        }
        if let native = GateKind.named(name), includedQelib || name == "U" || name == "CX" {
            guard native.qubitCount == qubitNames.count, native.parameterCount == parameterNames.count else {
                throw error("gate '\(name)' redefines the qelib1 gate with a different signature", at: nameToken,
                            code: .qasmSemantic)
            }
        }
        if redefinesLibrary, let library = userGates[name],
           library.qubitArguments.count != qubitNames.count || library.parameters.count != parameterNames.count {
            throw error("gate '\(name)' redefines the qelib1 gate with a different signature", at: nameToken,
                        code: .qasmSemantic)
        }
        if opaque {
            try expectSymbol(";", "after an opaque declaration")
            if redefinesLibrary { return }
            userGates[name] = GateDefinition(name: name, parameters: parameterNames, qubitArguments: qubitNames,
                                             body: [], isOpaque: true)
            return
        }
        try expectSymbol("{", "to start the gate body")
        let parameterSet = Set(parameterNames)
        var body: [BodyStatement] = []
        while !isSymbol("}") {
            let token = current
            guard case .identifier(let callee) = token.kind else {
                if case .eof = token.kind { throw error("unterminated body of gate '\(name)'", at: token) }
                throw error("expected a gate call in the body of '\(name)', found \(token.quoted)", at: token)
            }
            _ = advance()
            if callee == "barrier" {
                _ = try parseBodyQubits(qubitNames)
                try expectSymbol(";", "after barrier")
                continue
            }
            if ["measure", "reset", "if", "qreg", "creg", "gate", "opaque"].contains(callee) {
                throw error("'\(callee)' is not allowed inside a gate body", at: token, code: .qasmSemantic)
            }
            let arguments = isSymbol("(") ? try parseExpressionList(allowed: parameterSet) : []
            let qubits = try parseBodyQubits(qubitNames)
            try expectSymbol(";", "after the gate call")
            try checkCallable(callee, token: token, parameterCount: arguments.count, qubitCount: qubits.count)
            body.append(BodyStatement(name: callee, token: token, arguments: arguments, qubits: qubits))
        }
        _ = advance()
        if redefinesLibrary { return }
        userGates[name] = GateDefinition(name: name, parameters: parameterNames, qubitArguments: qubitNames,
                                         body: body, isOpaque: false)
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

    /// Resolves a gate name: native qelib1 gates win over definitions of the same name (Qiskit's
    /// legacy behaviour), user gates come next.
    private func lookup(_ name: String) -> (native: GateKind?, user: GateDefinition?) {
        if let native = GateKind.named(name), includedQelib || name == "U" || name == "CX" {
            return (native, nil)
        }
        return (nil, userGates[name])
    }

    private func checkCallable(_ name: String, token: QASMToken, parameterCount: Int, qubitCount: Int,
                               found: (native: GateKind?, user: GateDefinition?)? = nil) throws(QuantumError) {
        let (native, user) = found ?? lookup(name)
        let expectedParameters: Int
        let expectedQubits: Int
        if let native {
            expectedParameters = native.parameterCount
            expectedQubits = native.qubitCount
        } else if let user {
            if user.isOpaque {
                throw error("opaque gate '\(name)' has no definition and cannot be simulated", at: token, code: .qasmUnsupported)
            }
            expectedParameters = user.parameters.count
            expectedQubits = user.qubitArguments.count
        } else {
            var message = "unknown gate '\(name)'"
            if !includedQelib, GateKind.named(name) != nil { message += " (missing include \"qelib1.inc\"?)" }
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
        let literals = literalParameters()
        let expressions = literals == nil && isSymbol("(") ? try parseExpressionList(allowed: []) : []
        let args = try parseArgumentList()
        try expectSymbol(";", "after the gate call")
        // Looked up once for the check and every broadcast instance: a hash per gate call, not two.
        let found = lookup(name)
        try checkCallable(name, token: token, parameterCount: literals?.count ?? expressions.count, qubitCount: args.count,
                          found: found)
        var values: [Double] = literals ?? []
        for e in expressions { values.append(try e.evaluate([:], fileName: fileName)) }
        if let qubits = try indexedQubits(args) {
            if Self.repeats(qubits) {
                throw error("gate '\(name)' uses the same qubit more than once", at: token, code: .qasmSemantic)
            }
            try apply(name, parameters: values, qubits: qubits, token: token, depth: 0, found: found)
            return
        }

        var resolved: [[Int]] = []
        var broadcast = 1
        for arg in args {
            let qubits = try resolveQuantum(arg)
            if case .register = arg {
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
            if Self.repeats(qubits) {
                throw error("gate '\(name)' uses the same qubit more than once", at: token, code: .qasmSemantic)
            }
            try apply(name, parameters: values, qubits: qubits, token: token, depth: 0, found: found)
        }
    }

    /// `(1.5, -0.25)`: a parameter list of plain numbers, as generated circuits write every angle,
    /// read straight into values with no expression tree (a heap box per number and sign). Nil,
    /// with nothing consumed, for anything else, which the expression reader then takes.
    private mutating func literalParameters() -> [Double]? {
        guard isSymbol("(") else { return nil }
        let start = position
        _ = advance()
        var values: [Double] = []
        while true {
            let negative = isSymbol("-")
            if negative { _ = advance() }
            let v: Double
            switch current.kind {
            case .integer(let i): v = Double(i)
            case .real(let r): v = r
            default: position = start; return nil
            }
            _ = advance()
            values.append(negative ? -v : v)
            if isSymbol(",") { _ = advance(); continue }
            if isSymbol(")") { _ = advance(); return values }
            position = start
            return nil
        }
    }

    /// Whether a qubit appears twice; gate calls name a few qubits, so no hash set per call.
    private static func repeats(_ qubits: [Int]) -> Bool {
        for i in qubits.indices.dropFirst() where qubits[..<i].contains(qubits[i]) { return true }
        return false
    }

    private mutating func apply(_ name: String, parameters: [Double], qubits: [Int], token: QASMToken,
                                depth: Int, found: (native: GateKind?, user: GateDefinition?)? = nil) throws(QuantumError) {
        // Nested definitions can expand exponentially (even with empty bodies), so bound the calls.
        expansionSteps += 1
        guard expansionSteps <= Self.maxExpansionSteps else {
            throw error("the program expands to more than \(Self.maxExpansionSteps) gate applications", at: token,
                        code: .simulatorLimit)
        }
        let (native, user) = found ?? lookup(name)
        if let native {
            operations.append(.gate(QuantumGate(native, qubits, parameters)))
            return
        }
        guard let user, depth < 64 else {
            throw error("gate '\(name)' cannot be expanded", at: token, code: .qasmSemantic)
        }
        var bindings: [String: Double] = [:]
        for (p, v) in zip(user.parameters, parameters) { bindings[p] = v }
        for statement in user.body {
            var values: [Double] = []
            for e in statement.arguments { values.append(try e.evaluate(bindings, fileName: fileName)) }
            try apply(statement.name, parameters: values, qubits: statement.qubits.map { qubits[$0] },
                      token: statement.token, depth: depth + 1)
        }
    }
}
