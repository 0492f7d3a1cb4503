/// OpenQASM 2.0 reader producing a flat `QuantumCircuit`.
///
/// Supported: the header, `include "qelib1.inc"`, several qreg/creg, the qelib1 gate set (see
/// `GateKind`), user `gate` definitions (expanded in place), register broadcasting, `measure`
/// (including register-wide), `reset`, `barrier`, and parameter expressions with pi, + - * / ^,
/// unary minus and sin/cos/tan/exp/ln/sqrt. Rejected with a located error: `if`, use of
/// `opaque` gates, unknown gates, wrong arity, undeclared registers and out-of-range indices.
///
/// Conventions follow Qiskit: qubits are numbered in declaration order, `rz(θ)` is
/// diag(e^{-iθ/2}, e^{iθ/2}) and `u1`/`p` are diag(1, e^{iλ}). A user definition that reuses a
/// qelib1 name with the same signature is accepted and the native gate is used, as Qiskit's legacy
/// importer does.
public enum QASMParser {
    public static func parse(_ source: String, fileName: String = "<input>") throws(QuantumError) -> QuantumCircuit {
        let tokens = try QASMLexer(fileName: fileName).tokenize(source)
        var parser = QASMProgramParser(tokens: tokens, fileName: fileName)
        return try parser.parseProgram()
    }
}
