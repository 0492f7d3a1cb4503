/// A circuit whose gate angles may depend on named parameters: OpenQASM 3 `input float[64] θ;`
/// declarations. `bind` gives every parameter a value and yields a concrete `QuantumCircuit`.
///
/// The program is kept as its token stream and read again at each binding, so gate definitions
/// and expressions stay exactly as written (no symbolic algebra); the first reading, with every
/// input unbound, has already reported every error that does not depend on the values.
public struct ParameterizedCircuit: Sendable {
    /// Parameter names in declaration order.
    public let parameters: [String]
    /// Shape of the circuit: registers and operations, with NaN for angles that depend on a parameter.
    public let template: QuantumCircuit

    private let tokens: [QASMToken]
    private let fileName: String
    private let declarations: [QASM3ProgramParser.Input]

    /// A circuit without parameters.
    public init(_ circuit: QuantumCircuit) {
        parameters = []
        template = circuit
        tokens = []
        fileName = ""
        declarations = []
    }

    init(tokens: [QASMToken], fileName: String) throws(QuantumError) {
        var parser = QASM3ProgramParser(tokens: tokens, fileName: fileName, bindings: [:])
        template = try parser.parseProgram()
        declarations = parser.inputs
        parameters = declarations.map(\.name)
        self.tokens = tokens
        self.fileName = fileName
    }

    /// The circuit with `values` for the parameters. Every parameter needs a finite value and
    /// every name must be a parameter, so a misspelt binding cannot go unnoticed.
    public func bind(_ values: [String: Double]) throws(QuantumError) -> QuantumCircuit {
        for name in values.keys.sorted() where !parameters.contains(name) {
            let known = parameters.isEmpty ? "the circuit has no parameters" : "parameters: \(parameters.joined(separator: ", "))"
            throw QuantumError(.invalidArgument, "no parameter named '\(name)' (\(known))", file: fileName.isEmpty ? nil : fileName)
        }
        for input in declarations {
            guard let value = values[input.name] else {
                throw QuantumError(.invalidArgument, "input '\(input.name)' has no value", file: fileName,
                                   line: input.token.line, column: input.token.column)
            }
            guard value.isFinite else {
                throw QuantumError(.invalidArgument, "input '\(input.name)' is bound to \(value), not a finite number",
                                   file: fileName, line: input.token.line, column: input.token.column)
            }
        }
        if declarations.isEmpty { return template }
        var parser = QASM3ProgramParser(tokens: tokens, fileName: fileName, bindings: values)
        return try parser.parseProgram()
    }
}
