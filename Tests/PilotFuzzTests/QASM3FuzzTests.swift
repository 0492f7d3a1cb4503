import Foundation
import PilotQuantum
import Testing

/// ≥ 1 000 mutated OpenQASM 3 programs, seeded from circuits Qiskit exported (the reader's
/// fixtures): each parses or throws a located `QuantumError`; small results are also simulated.
/// None may crash. Mutations mix the generic byte-level ones with OpenQASM 3 fragments spliced in
/// at random places, so the parser sees half-valid statements, not only noise.
@Suite struct QASM3FuzzTests {
    static let fragments = [
        "OPENQASM 3.0;", "include \"stdgates.inc\";", "qubit[3] r;", "qubit z;", "bit[2] m;", "input float[64] θ;",
        "gate g(a) x, y { gphase(a); cx x, y; }", "g(θ) q[0], q[1];", "c = measure q;", "c[0] = measure q[-1];",
        "measure q -> c;", "barrier;", "gphase(pi);", "q[0:2]", "q[::-1]", "q[1:0:3]", "**", "ctrl @", "inv @",
        "U(1, 2, 3) q[0];", "rx(θ ** 2) q[0];", "for uint i in [0:2] { }", "if (c[0]) { x q[0]; }", "let a = q;",
        "100ns", "π", "τ", "ℇ", "(", ")", "[", "]", ":", "-", "0", "1e999", "99999999999999999999", "{", "}",
    ]

    @Test func mutatedQiskitPrograms() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        let data = try Data(contentsOf: root.appendingPathComponent("PilotQuantumTests/Fixtures/qasm3_fixtures.json"))
        struct File: Decodable {
            struct Circuit: Decodable { var qasm: String }
            var circuits: [Circuit]
        }
        let seeds = try JSONDecoder().decode(File.self, from: data).circuits.map(\.qasm)
        #expect(seeds.count >= 20)
        var m = Mutator(state: 17)
        var errors = 0
        var parsed = 0
        let cases = max(ParserFuzzTests.cases, 1000)
        for _ in 0..<cases {
            var text = seeds[m.int(seeds.count)]
            if m.int(2) == 0 {
                var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
                for _ in 0..<(1 + m.int(3)) {
                    let at = m.int(lines.count)
                    let fragment = Self.fragments[m.int(Self.fragments.count)]
                    switch m.int(3) {
                    case 0: lines.insert(fragment, at: at)
                    case 1: lines[at] = fragment
                    default: lines[at] += fragment
                    }
                }
                text = lines.joined(separator: "\n")
            } else {
                text = m.mutate(text)
            }
            let circuit: QuantumCircuit
            do {
                circuit = try QASMParser.parse(text, fileName: "fuzz.qasm")
            } catch {
                errors += 1
                #expect("\(error)".hasPrefix("fuzz.qasm"), "\(error)")
                continue
            }
            parsed += 1
            if circuit.qubitCount >= 1, circuit.qubitCount <= 10 {
                // Whatever parsed must simulate or be refused with a typed error (e.g. > 64 bits).
                _ = try? StateVectorSimulator().sample(circuit, shots: 16, seed: 1)
            }
        }
        print("QASM3 fuzz: \(cases) cases, \(parsed) parsed, \(errors) refused")
        #expect(errors > cases / 3)
        #expect(parsed > 0)
    }
}
