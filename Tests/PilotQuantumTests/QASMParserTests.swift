import Foundation
import Testing
@testable import PilotQuantum

@Suite struct QASMParserTests {
    @Test func parsesRegistersBroadcastAndMeasurement() throws {
        let source = """
        OPENQASM 2.0;
        include "qelib1.inc";
        // two quantum and two classical registers
        qreg a[2];
        qreg b[3];
        creg c[2];
        creg d[3];
        h a;
        cx a[0], b;
        barrier a, b[1];
        reset b[2];
        measure a -> c;
        measure b[0] -> d[2];
        """
        let circuit = try QASMParser.parse(source, fileName: "good.qasm")
        #expect(circuit.qubitCount == 5)
        #expect(circuit.clbitCount == 5)
        #expect(circuit.quantumRegisters.map(\.name) == ["a", "b"])
        let expected: [QuantumOperation] = [
            .gate(QuantumGate(.h, [0])), .gate(QuantumGate(.h, [1])),
            .gate(QuantumGate(.cx, [0, 2])), .gate(QuantumGate(.cx, [0, 3])), .gate(QuantumGate(.cx, [0, 4])),
            .barrier(qubits: [0, 1, 3]),
            .reset(qubit: 4),
            .measure(qubit: 0, clbit: 0), .measure(qubit: 1, clbit: 1),
            .measure(qubit: 2, clbit: 4),
        ]
        #expect(circuit.operations == expected)
    }

    @Test func evaluatesParameterExpressions() throws {
        let source = """
        OPENQASM 2.0;
        include "qelib1.inc";
        qreg q[1];
        rz(-pi/4 + 2*3^2) q[0];
        rx(sin(pi/6) * cos(0) - tan(0) + exp(0) + ln(1) + sqrt(4)) q[0];
        ry(-2^2) q[0];
        u3(1e-3, .5, 2.) q[0];
        """
        let circuit = try QASMParser.parse(source)
        let params = circuit.operations.compactMap { op -> [Double]? in
            if case .gate(let g) = op { return g.parameters } else { return nil }
        }
        #expect(abs(params[0][0] - (-Double.pi / 4 + 18)) < 1e-15)
        #expect(abs(params[1][0] - 3.5) < 1e-15)
        #expect(params[2][0] == -4)
        #expect(params[3] == [0.001, 0.5, 2.0])
    }

    @Test func expandsUserGatesWithParameters() throws {
        let source = """
        OPENQASM 2.0;
        include "qelib1.inc";
        gate bell(theta) a, b { h a; cx a, b; rz(theta / 2) b; }
        gate twice(t) x, y { bell(t) y, x; bell(-t) x, y; }
        qreg q[2];
        twice(pi) q[0], q[1];
        """
        let circuit = try QASMParser.parse(source)
        #expect(circuit.operations == [
            .gate(QuantumGate(.h, [1])), .gate(QuantumGate(.cx, [1, 0])), .gate(QuantumGate(.rz, [0], [Double.pi / 2])),
            .gate(QuantumGate(.h, [0])), .gate(QuantumGate(.cx, [0, 1])), .gate(QuantumGate(.rz, [1], [-Double.pi / 2])),
        ])
    }

    @Test func builtinsWorkWithoutInclude() throws {
        let circuit = try QASMParser.parse("OPENQASM 2.0;\nqreg q[2];\nU(pi/2, 0, pi) q[0];\nCX q[0], q[1];\n")
        #expect(circuit.operations == [.gate(QuantumGate(.u, [0], [Double.pi / 2, 0, Double.pi])),
                                       .gate(QuantumGate(.cx, [0, 1]))])
    }

    @Test func qiskitStyleRedefinitionOfLibraryGateIsAccepted() throws {
        let source = """
        OPENQASM 2.0;
        include "qelib1.inc";
        gate rzz(theta) a, b { cx a, b; u1(theta) b; cx a, b; }
        qreg q[2];
        rzz(0.5) q[0], q[1];
        """
        let circuit = try QASMParser.parse(source)
        #expect(circuit.operations == [.gate(QuantumGate(.rzz, [0, 1], [0.5]))])
    }

    @Test func writerOutputReparsesToTheSameCircuit() throws {
        var circuit = QuantumCircuit(qubits: 3, clbits: 3)
        circuit.append(.u3, [0], [1e-5, -2.5, 3.141592653589793])
        circuit.append(.ccx, [0, 1, 2])
        circuit.append(.cu, [2, 0], [0.1, 0.2, 0.3, 0.4])
        circuit.operations.append(.reset(qubit: 1))
        circuit.operations.append(.barrier(qubits: [0, 1, 2]))
        circuit.measure(2, 0)
        let text = circuit.qasm()
        #expect(text.contains("u3(1.0e-05,-2.5,3.141592653589793) q[0];"))
        #expect(try QASMParser.parse(text) == circuit)
    }

    struct Malformed: Sendable, CustomTestStringConvertible {
        var source: String
        var line: Int
        var column: Int
        var message: String
        var testDescription: String { message }
    }

    static let header = "OPENQASM 2.0;\ninclude \"qelib1.inc\";\n"

    static let malformed: [Malformed] = [
        .init(source: header + "qreg q[2];\ncreg c[2];\nif (c==1) x q[0];\n", line: 5, column: 1,
              message: "classically controlled 'if' statements are not supported"),
        .init(source: header + "opaque magic a;\nqreg q[1];\nmagic q[0];\n", line: 5, column: 1,
              message: "opaque gate 'magic' has no definition and cannot be simulated"),
        .init(source: header + "qreg q[1];\nfoo q[0];\n", line: 4, column: 1, message: "unknown gate 'foo'"),
        .init(source: header + "qreg q[2];\ncx q[0];\n", line: 4, column: 1, message: "gate 'cx' acts on 2 qubit(s), got 1"),
        .init(source: header + "qreg q[2];\nrx q[0];\n", line: 4, column: 1, message: "gate 'rx' takes 1 parameter(s), got 0"),
        .init(source: header + "qreg q[2];\nh r[0];\n", line: 4, column: 3, message: "undeclared quantum register 'r'"),
        .init(source: header + "qreg q[2];\nx q[2];\n", line: 4, column: 5,
              message: "index 2 is out of range for register 'q' of size 2"),
        .init(source: header + "qreg q[2];\nh q[0] $;\n", line: 4, column: 8, message: "unexpected character '$'"),
        .init(source: header + "qreg q[2];\nh q[0]\nh q[1];\n", line: 5, column: 1,
              message: "expected ';' after the gate call, found 'h'"),
        .init(source: "OPENQASM 4.0;\n", line: 1, column: 10, message: "unsupported OpenQASM version '4.0'"),
        .init(source: header + "qreg q[1];\ncreg c[2];\nmeasure q -> c;\n", line: 5, column: 9,
              message: "measure needs a qubit and a bit, or two registers of the same size"),
        .init(source: header + "qreg q[2];\nrx(theta) q[0];\n", line: 4, column: 4, message: "unknown identifier 'theta' in expression"),
        .init(source: header + "qreg q[2];\ncx q[1], q[1];\n", line: 4, column: 1,
              message: "gate 'cx' uses the same qubit more than once"),
        .init(source: header + "gate g(a) x { rx(b) x; }\n", line: 3, column: 18, message: "unknown identifier 'b' in expression"),
        .init(source: header + "gate g x { h y; }\n", line: 3, column: 14, message: "'y' is not a qubit argument of this gate"),
        .init(source: "qreg q[1];\nh q[0];\n", line: 2, column: 1, message: "unknown gate 'h' (missing include \"qelib1.inc\"?)"),
        .init(source: header + "include \"other.inc\";\n", line: 3, column: 9, message: "unsupported include \"other.inc\""),
        .init(source: header + "qreg q[0];\n", line: 3, column: 8, message: "register size must be at least 1"),
        .init(source: header + "qreg q[2];\nqreg q[3];\n", line: 4, column: 6, message: "register 'q' is already declared"),
        .init(source: header + "qreg q[2];\nrx(1/0) q[0];\n", line: 4, column: 5, message: "division by zero"),
        .init(source: header + "qreg q[2];\nrx(1.5e) q[0];\n", line: 4, column: 4, message: "malformed number exponent"),
        .init(source: header + "qreg q[2];\nmeasure q[0] -> q[1];\n", line: 4, column: 17, message: "'q' is not a classical register"),
        .init(source: header + "qreg a[2];\nqreg b[3];\ncx a, b;\n", line: 5, column: 7,
              message: "registers in a broadcast gate call must have the same size (2 vs 3)"),
        .init(source: header + "gate g x { h x;\n", line: 4, column: 1, message: "unterminated body of gate 'g'"),
        .init(source: header + "qreg q[1];\nrz(pi q[0];\n", line: 4, column: 7, message: "expected ')' after parameters, found 'q'"),
        .init(source: header + "qreg q[1];\nrz(" + String(repeating: "(", count: 5000) + "1) q[0];\n", line: 4, column: 104,
              message: "expression nested too deeply"),
    ]

    @Test(arguments: malformed)
    func malformedInputGivesLocatedError(_ case_: Malformed) {
        do {
            _ = try QASMParser.parse(case_.source, fileName: "bad.qasm")
            Issue.record("expected an error: \(case_.message)")
        } catch {
            #expect(error.file == "bad.qasm")
            #expect(error.line == case_.line, "\(error)")
            #expect(error.column == case_.column, "\(error)")
            #expect(error.message.contains(case_.message), "\(error)")
            #expect(error.description.hasPrefix("bad.qasm:\(case_.line):\(case_.column): "))
        }
    }

    /// Plain-number parameter lists and single-qubit arguments take a shorter way through the
    /// reader; written so they must take the general one (`0+x`, a broadcast over a register of
    /// one), the same program reads to the same operations.
    @Test func literalAnglesAndIndexedQubitsReadAsTheGeneralReaderReadsThem() throws {
        var g = SystemRandomNumberGenerator()
        var fast = ["OPENQASM 2.0;", "include \"qelib1.inc\";", "qreg q[5];", "qreg s[1];"]
        var slow = fast
        for _ in 0..<300 {
            let a = Double.random(in: -7...7, using: &g), b = Int.random(in: -3...3, using: &g)
            let i = Int.random(in: 0..<5, using: &g), j = (i + Int.random(in: 1..<5, using: &g)) % 5
            switch Int.random(in: 0..<4, using: &g) {
            case 0:
                fast.append("rz(\(a)) q[\(i)];"); slow.append("rz(0+\(a)) q[\(i)];")
            case 1:
                fast.append("u3(\(a),\(b),-\(abs(a))) q[\(i)];"); slow.append("u3(0+\(a),0+\(b),0-\(abs(a))) q[\(i)];")
            case 2:
                fast.append("cx q[\(i)],q[\(j)];"); slow.append("cx q[\(i)],q[\(j)];")
            default:
                fast.append("crz(\(b)) q[\(i)],s[0];"); slow.append("crz(\(b)*1) q[\(i)],s;")
            }
        }
        let f = try QASMParser.parse(fast.joined(separator: "\n"))
        let s = try QASMParser.parse(slow.joined(separator: "\n"))
        #expect(f.operations.count == 300)
        #expect(f.operations == s.operations)
    }

    @Test func shorterWayKeepsItsErrors() {
        for (source, message) in [("qreg q[2];\nU(1,2,3) q[2];", "index 2 is out of range for register 'q' of size 2"),
                                  ("qreg q[2];\nCX q[1],q[1];", "gate 'CX' uses the same qubit more than once"),
                                  ("qreg q[2];\nU(1,2) q[0];", "gate 'U' takes 3 parameter(s), got 2"),
                                  ("qreg q[2];\nU(1,2,3) r[0];", "undeclared quantum register 'r'")] {
            #expect(throws: QuantumError.self) { try QASMParser.parse("OPENQASM 2.0;\n" + source) }
            do { _ = try QASMParser.parse("OPENQASM 2.0;\n" + source) } catch { #expect(error.message.contains(message), "\(error)") }
        }
    }
}
