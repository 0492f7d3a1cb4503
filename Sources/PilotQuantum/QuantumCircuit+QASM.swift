import Foundation

extension QuantumCircuit {
    /// OpenQASM 2.0 text for this circuit, readable by `QASMParser` and by Qiskit's `qasm2.loads`.
    /// Parameters are written with round-trip precision so a parsed copy simulates identically.
    public func qasm() -> String {
        var out = "OPENQASM 2.0;\ninclude \"qelib1.inc\";\n"
        var qubitNames: [String] = []
        for reg in quantumRegisters {
            out += "qreg \(reg.name)[\(reg.size)];\n"
            for i in 0..<reg.size { qubitNames.append("\(reg.name)[\(i)]") }
        }
        var clbitNames: [String] = []
        for reg in classicalRegisters {
            out += "creg \(reg.name)[\(reg.size)];\n"
            for i in 0..<reg.size { clbitNames.append("\(reg.name)[\(i)]") }
        }
        func qubit(_ q: Int) -> String { q >= 0 && q < qubitNames.count ? qubitNames[q] : "q[\(q)]" }
        func clbit(_ c: Int) -> String { c >= 0 && c < clbitNames.count ? clbitNames[c] : "c[\(c)]" }
        for op in operations {
            switch op {
            case .gate(let g):
                out += g.kind.rawValue
                if !g.parameters.isEmpty {
                    out += "(" + g.parameters.map(Self.qasmNumber).joined(separator: ",") + ")"
                }
                out += " " + g.qubits.map(qubit).joined(separator: ",") + ";\n"
            case .measure(let q, let c):
                out += "measure \(qubit(q)) -> \(clbit(c));\n"
            case .reset(let q):
                out += "reset \(qubit(q));\n"
            case .barrier(let qs):
                if !qs.isEmpty { out += "barrier " + qs.map(qubit).joined(separator: ",") + ";\n" }
            }
        }
        return out
    }

    /// QASM 2 reals need a decimal point before an exponent, which Swift's shortest
    /// round-trip formatting omits ("1e-05").
    static func qasmNumber(_ value: Double) -> String {
        var text = "\(value)"
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }), !text[..<e].contains(".") {
            text.insert(contentsOf: ".0", at: e)
        }
        return text
    }
}
