/// OpenQASM reader producing a flat `QuantumCircuit`; the `OPENQASM` header picks the dialect
/// (no header means 2.0).
///
/// OpenQASM 2.0: the header, `include "qelib1.inc"`, several qreg/creg, the qelib1 gate set (see
/// `GateKind`, plus rccx, rc3x, c3x, c3sqrtx and c4x expanded as qelib1.inc defines them), user
/// `gate` definitions (expanded in place), register broadcasting, `measure` (including
/// register-wide), `reset`, `barrier`, and parameter expressions with pi, + - * / ^, unary minus and
/// sin/cos/tan/exp/ln/sqrt. Rejected with a located error: `if`, use of `opaque` gates, unknown
/// gates, wrong arity, undeclared registers and out-of-range indices.
///
/// OpenQASM 3.0: what `qiskit.qasm3.dumps` writes for circuits of standard gates:
/// `include "stdgates.inc"`, `qubit[n] q;`/`qubit q;`/`bit[n] c;`/`bit c;` (and the old
/// qreg/creg), `input float[64] θ;` parameters (see `parseParameterized`), `c[0] = measure q[0];`,
/// `c = measure q;`, `measure q -> c;`, `reset`, `barrier` (bare: all qubits), `gate` definitions
/// with parameters and `gphase` in their bodies, the built-in `U`, top-level `gphase`, negative
/// indices and inclusive ranges `q[a:b]`/`q[a:step:b]`, expressions with pi/π, tau/τ, euler/ℇ,
/// + - * / **, unary minus and sin/cos/tan/arcsin/arccos/arctan/exp/log/sqrt/floor/ceiling.
/// Control flow, classical variables, subroutines, timing, gate modifiers (`ctrl @`, `inv @`)
/// and calibrations are refused with a located error. stdgates.inc names mean Qiskit's gates of
/// that name, so `u2`/`u3` follow Qiskit's global phase, not the `gphase` stdgates.inc adds.
///
/// Conventions follow Qiskit: qubits are numbered in declaration order, `rz(θ)` is
/// diag(e^{-iθ/2}, e^{iθ/2}) and `u1`/`p` are diag(1, e^{iλ}). A user definition that reuses a
/// qelib1 name with the same signature is accepted and the native gate is used, as Qiskit's legacy
/// importer does.
public enum QASMParser {
    public static func parse(_ source: String, fileName: String = "<input>") throws(QuantumError) -> QuantumCircuit {
        try parse(source, fileName: fileName, bindings: [:])
    }

    /// Parses and binds OpenQASM 3 `input` parameters in one step; every input needs a value.
    public static func parse(_ source: String, fileName: String = "<input>",
                             bindings: [String: Double]) throws(QuantumError) -> QuantumCircuit {
        try parseParameterized(source, fileName: fileName).bind(bindings)
    }

    /// A circuit whose OpenQASM 3 `input` parameters are filled later by `ParameterizedCircuit.bind`.
    /// OpenQASM 2 programs have no parameters.
    public static func parseParameterized(_ source: String,
                                          fileName: String = "<input>") throws(QuantumError) -> ParameterizedCircuit {
        if majorVersion(of: source) == 3 {
            let tokens = try QASMLexer(fileName: fileName, dialect: .qasm3).tokenize(source)
            return try ParameterizedCircuit(tokens: tokens, fileName: fileName)
        }
        let tokens = try QASMLexer(fileName: fileName).tokenize(source)
        var parser = QASMProgramParser(tokens: tokens, fileName: fileName)
        return ParameterizedCircuit(try parser.parseProgram())
    }

    /// The major version in the `OPENQASM` header, looking past whitespace and comments; nil when
    /// the program does not start with a header.
    static func majorVersion(of source: String) -> Int? {
        // The header is near the top: read the first bytes in place (a copy of a prefix of the
        // UTF-8 view goes byte by byte, which cost a twentieth of the whole parse).
        if let v = source.utf8.withContiguousStorageIfAvailable({ majorVersion(bytes: UnsafeBufferPointer(rebasing: $0.prefix(4096))) }) {
            return v
        }
        return Array(source.utf8.prefix(4096)).withUnsafeBufferPointer { majorVersion(bytes: $0) }
    }

    private static func majorVersion(bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: " ") || b == UInt8(ascii: "\t") || b == UInt8(ascii: "\r") || b == UInt8(ascii: "\n") {
                i += 1
            } else if b == UInt8(ascii: "/"), i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "/") {
                while i < bytes.count, bytes[i] != UInt8(ascii: "\n") { i += 1 }
            } else if b == UInt8(ascii: "/"), i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "*") {
                i += 2
                while i + 1 < bytes.count, !(bytes[i] == UInt8(ascii: "*") && bytes[i + 1] == UInt8(ascii: "/")) { i += 1 }
                i += 2
            } else {
                break
            }
        }
        let header: StaticString = "OPENQASM"
        let n = header.utf8CodeUnitCount
        guard i + n < bytes.count, (0..<n).allSatisfy({ bytes[i + $0] == header.utf8Start[$0] }) else { return nil }
        i += n
        while i < bytes.count, bytes[i] == UInt8(ascii: " ") || bytes[i] == UInt8(ascii: "\t") { i += 1 }
        var digits = 0
        var major = 0
        while i < bytes.count, bytes[i] >= UInt8(ascii: "0"), bytes[i] <= UInt8(ascii: "9"), digits < 4 {
            major = major * 10 + Int(bytes[i] - UInt8(ascii: "0"))
            digits += 1
            i += 1
        }
        return digits > 0 ? major : nil
    }
}
