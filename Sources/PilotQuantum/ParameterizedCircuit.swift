/// A circuit whose gate angles may depend on named parameters: OpenQASM 3 `input float[64] θ;`
/// declarations. `bind` gives every parameter a value and yields a concrete `QuantumCircuit`.
///
/// The program is read once, with every input unbound: that reading reports every error that does
/// not depend on the values, and records how each input-dependent angle is computed (the gate
/// call's expression, with gate definitions' formal parameters replaced by their arguments'
/// expressions). A binding evaluates those expressions and patches the template, in the order a
/// reading would evaluate them, so errors (a division by zero at some value) are the same. The
/// token stream is kept for the rare program whose substituted expressions grow too large to
/// record; those are read again per binding.
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
        steps = []
        tokens = []
        fileName = ""
        declarations = []
    }

    /// Recorded on the first reading: binding evaluates these and patches `template`, instead of
    /// reading the program again. nil when an expression was too large to record.
    private let steps: [QASM3ProgramParser.BindingStep]?

    init(tokens: [QASMToken], fileName: String) throws(QuantumError) {
        var parser = QASM3ProgramParser(tokens: tokens, fileName: fileName, bindings: [:], records: true)
        template = try parser.parseProgram()
        declarations = parser.inputs
        parameters = declarations.map(\.name)
        steps = parser.bindingSteps
        self.tokens = tokens
        self.fileName = fileName
    }

    /// The circuit with `values` for the parameters. Every parameter needs a finite value and
    /// every name must be a parameter, so a misspelt binding cannot go unnoticed.
    public func bind(_ values: [String: Double]) throws(QuantumError) -> QuantumCircuit {
        // As many distinct names as parameters, each of them bound, leaves no room for an unknown
        // one, so the sorted search for it (per binding) runs only when some name is off.
        let unknownPossible = values.count != parameters.count || parameters.contains { values[$0] == nil }
        if unknownPossible {
            for name in values.keys.sorted() where !parameters.contains(name) {
                let known = parameters.isEmpty ? "the circuit has no parameters" : "parameters: \(parameters.joined(separator: ", "))"
                throw QuantumError(.invalidArgument, "no parameter named '\(name)' (\(known))", file: fileName.isEmpty ? nil : fileName)
            }
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
        if let steps, let circuit = try patched(steps, values) { return circuit }
        return try reread(values)
    }

    /// Binding by reading the program again: what `bind` falls back to (public for comparison).
    public func reread(_ values: [String: Double]) throws(QuantumError) -> QuantumCircuit {
        var parser = QASM3ProgramParser(tokens: tokens, fileName: fileName, bindings: values)
        return try parser.parseProgram()
    }

    /// The template with every recorded angle evaluated; nil if any angle was left unset, which
    /// would mean the recording missed one (the reading then decides).
    private func patched(_ steps: [QASM3ProgramParser.BindingStep],
                         _ values: [String: Double]) throws(QuantumError) -> QuantumCircuit? {
        var operations = template.operations
        var phase = template.globalPhase
        for step in steps {
            switch step {
            case .check(let e):
                _ = try e.evaluate(values, fileName: fileName)
            case .parameter(let index, let k, let e):
                let value = try e.evaluate(values, fileName: fileName)
                if case .gate(var gate) = operations[index] {
                    gate.parameters[k] = value
                    operations[index] = .gate(gate)
                }
            case .phase(let e):
                phase += try e.evaluate(values, fileName: fileName)
            }
        }
        for op in operations {
            if case .gate(let g) = op, g.parameters.contains(where: \.isNaN) { return nil }
        }
        if phase.isNaN { return nil }
        return QuantumCircuit(quantumRegisters: template.quantumRegisters, classicalRegisters: template.classicalRegisters,
                              operations: operations, globalPhase: phase)
    }
}
