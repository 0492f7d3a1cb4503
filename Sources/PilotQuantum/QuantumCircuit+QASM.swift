import Foundation

extension QuantumCircuit {
    /// OpenQASM 2.0 text for this circuit, readable by `QASMParser` and by Qiskit's `qasm2.loads`.
    /// Parameters are written with round-trip precision so a parsed copy simulates identically.
    public func qasm() -> String {
        var out = "OPENQASM 2.0;\ninclude \"qelib1.inc\";\n"
        for reg in quantumRegisters { out += "qreg \(reg.name)[\(reg.size)];\n" }
        for reg in classicalRegisters { out += "creg \(reg.name)[\(reg.size)];\n" }
        let names = bitNames()
        for op in operations {
            switch op {
            case .gate(let g):
                out += g.kind.rawValue
                if !g.parameters.isEmpty {
                    out += "(" + g.parameters.map(Self.qasmNumber).joined(separator: ",") + ")"
                }
                out += " " + g.qubits.map(names.qubit).joined(separator: ",") + ";\n"
            case .measure(let q, let c):
                out += "measure \(names.qubit(q)) -> \(names.clbit(c));\n"
            case .reset(let q):
                out += "reset \(names.qubit(q));\n"
            case .barrier(let qs):
                if !qs.isEmpty { out += "barrier " + qs.map(names.qubit).joined(separator: ",") + ";\n" }
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

    /// Each qubit's and clbit's name in the text (`reg[i]`), in index order, for the writers of
    /// both OpenQASM versions; an index outside every register is written as `q[i]` or `c[i]`.
    struct BitNames {
        var qubits: [String] = []
        var clbits: [String] = []
        func qubit(_ q: Int) -> String { q >= 0 && q < qubits.count ? qubits[q] : "q[\(q)]" }
        func clbit(_ c: Int) -> String { c >= 0 && c < clbits.count ? clbits[c] : "c[\(c)]" }
    }

    func bitNames() -> BitNames {
        var names = BitNames()
        for reg in quantumRegisters { for i in 0..<reg.size { names.qubits.append("\(reg.name)[\(i)]") } }
        for reg in classicalRegisters { for i in 0..<reg.size { names.clbits.append("\(reg.name)[\(i)]") } }
        return names
    }
}
