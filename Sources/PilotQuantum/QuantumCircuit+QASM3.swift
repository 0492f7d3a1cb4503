import Foundation

extension QuantumCircuit {
    /// OpenQASM 3 text for this circuit, readable by `QASMParser` and by Qiskit's `qasm3.loads`
    /// (the form a Qiskit Runtime primitive takes a PUB's circuit in).
    ///
    /// Gates outside `stdgates.inc` are defined at the top from standard ones, the way `qelib1.inc`
    /// defines them, so the text needs no include but the standard one. Identity gates are left
    /// out: they do nothing, and stdgates.inc only keeps `id` for compatibility.
    public func qasm3() -> String {
        var declarations = ""
        for reg in quantumRegisters { declarations += "qubit[\(reg.size)] \(reg.name);\n" }
        for reg in classicalRegisters { declarations += "bit[\(reg.size)] \(reg.name);\n" }
        let names = bitNames()

        var needed: Set<GateKind> = []
        var body = ""
        for op in operations {
            switch op {
            case .gate(let g):
                guard g.kind != .id else { continue }
                let (name, parameters) = Self.qasm3Spelling(g)
                if Self.qasm3Definitions[g.kind] != nil { needed.insert(g.kind) }
                body += name
                if !parameters.isEmpty { body += "(" + parameters.map { "\($0)" }.joined(separator: ", ") + ")" }
                body += " " + g.qubits.map(names.qubit).joined(separator: ", ") + ";\n"
            case .measure(let q, let c):
                body += "\(names.clbit(c)) = measure \(names.qubit(q));\n"
            case .reset(let q):
                body += "reset \(names.qubit(q));\n"
            case .barrier(let qs):
                if !qs.isEmpty { body += "barrier " + qs.map(names.qubit).joined(separator: ", ") + ";\n" }
            }
        }
        var out = "OPENQASM 3.0;\ninclude \"stdgates.inc\";\n"
        for kind in GateKind.allCases where needed.contains(kind) { out += Self.qasm3Definitions[kind]! + "\n" }
        return out + declarations + body
    }

    /// The name and angles a gate is written with. Gates with an exact equivalent in
    /// stdgates.inc (`cu1` is `cp`, `cu3` is `cu` with no phase, `u` is `U`) use it.
    private static func qasm3Spelling(_ g: QuantumGate) -> (String, [Double]) {
        switch g.kind {
        case .cu1: return ("cp", g.parameters)
        case .cu3: return ("cu", g.parameters + [0])
        case .u: return ("U", g.parameters)
        default: return (g.kind.rawValue, g.parameters)
        }
    }

    /// Gates of the project's set that stdgates.inc lacks, defined as qelib1.inc does.
    static let qasm3Definitions: [GateKind: String] = [
        .sxdg: "gate sxdg a { s a; h a; s a; }",
        .csx: "gate csx a, b { h b; cp(pi/2) a, b; h b; }",
        .rxx: "gate rxx(theta) a, b { h a; h b; cx a, b; rz(theta) b; cx a, b; h a; h b; }",
        .rzz: "gate rzz(theta) a, b { cx a, b; p(theta) b; cx a, b; }",
    ]
}
