import Foundation
import PilotQuantum
import Testing

/// ≥ 1 000 mutated PUB jobs: valid sampler and estimator jobs around Qiskit-exported OpenQASM 3
/// circuits (the reader's fixtures), mutated as JSON text and as structure (a field replaced by a
/// wrongly typed, out-of-range or deeply nested value, a circuit cut short, numbers changed in
/// place). Each must parse or be refused with a `QuantumError` naming a field; what parses is also
/// run, and may only fail with a `QuantumError`. None may crash.
@Suite struct PUBJobFuzzTests {
    static let replacements = [
        "null", "true", "-1", "0", "1e309", "-1e-400", "99999999999999999999", "\"\"", "\"ZQ\"", "[]", "[[]]", "{}",
        "[0.1]", "[[0.1, 0.2]]", "[[[0.1]], [[0.2, 0.3]]]", "\"XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX\"", "[[\"Z\", \"i\"]]",
        "{\"Z\": null}", "[\"Z\", 1]", String(repeating: "[", count: 300) + String(repeating: "]", count: 300),
        "\"OPENQASM 3.0; qubit[2] q; input float[64] a; rx(a) q[0];\"", "[[1e308, 1e308]]", "0.0000001", "10000001",
        "[\"ZZ\", [\"ZZ\"], [[\"ZZ\"]]]", "{\"primitive\": \"sampler\"}",
    ]
    static let numbers = ["0", "-1", "1", "3", "0.5", "-0.25", "7", "64", "65", "1e300", "-1e300", "1e-300", "10000001"]
    static let keys = ["primitive", "device", "seed", "shots", "precision", "pubs", "circuit", "parameters",
                       "parameter_values", "observables", "version", "extra"]

    static func quote(_ s: String) -> String { String(decoding: try! JSONEncoder().encode(s), as: UTF8.self) }

    static func seedJobs() throws -> [String] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        let data = try Data(contentsOf: root.appendingPathComponent("PilotQuantumTests/Fixtures/qasm3_fixtures.json"))
        struct File: Decodable {
            struct Circuit: Decodable { var qasm: String; var qubits: Int; var bindings: [String: Double]? }
            var circuits: [Circuit]
        }
        var jobs: [String] = []
        for c in try JSONDecoder().decode(File.self, from: data).circuits where c.qubits <= 8 {
            let names = (c.bindings ?? [:]).keys.sorted()
            let values = names.map { "\(c.bindings![$0]!)" }.joined(separator: ", ")
            var pub = "\"circuit\": \(quote(c.qasm))"
            if !names.isEmpty {
                pub += ", \"parameters\": [\(names.map(quote).joined(separator: ", "))], \"parameter_values\": [[\(values)], [\(values)]]"
            }
            let z = String(repeating: "Z", count: c.qubits)
            let x = "X" + String(repeating: "I", count: c.qubits - 1)
            jobs.append("{\"primitive\": \"sampler\", \"shots\": 16, \"pubs\": [{\(pub)}]}")
            jobs.append("{\"primitive\": \"estimator\", \"precision\": 0.2, \"pubs\": [{\(pub), \"observables\": [[[\"\(z)\", 0.5], [\"\(x)\", -1]], \"\(z)\"]}]}")
        }
        return jobs
    }

    @Test func mutatedPUBJobs() throws {
        let seeds = try Self.seedJobs()
        #expect(seeds.count >= 20)
        var m = Mutator(state: 29)
        var refused = 0
        var parsed = 0
        var ran = 0
        let cases = max(ParserFuzzTests.cases, 1000)
        for _ in 0..<cases {
            var text = seeds[m.int(seeds.count)]
            switch m.int(4) {
            case 0:
                text = m.mutate(text)
            case 3:
                // Change a few numbers anywhere (bindings, coefficients, shots, register sizes, angles
                // in the circuit): the structure stays, so more jobs parse and run with odd values.
                var numbers: [Range<String.Index>] = []
                var searchStart = text.startIndex
                while let r = text.range(of: "-?[0-9]+(\\.[0-9]+)?(e-?[0-9]+)?", options: .regularExpression,
                                         range: searchStart..<text.endIndex) {
                    numbers.append(r)
                    searchStart = r.upperBound
                }
                guard !numbers.isEmpty else { break }
                let picked = Set((0..<(1 + m.int(3))).map { _ in m.int(numbers.count) }).sorted(by: >)
                for k in picked {
                    text.replaceSubrange(numbers[k], with: Self.numbers[m.int(Self.numbers.count)])
                }
            case 1:
                // Replace the value after a key with something else.
                let key = "\"\(Self.keys[m.int(Self.keys.count)])\": "
                if let r = text.range(of: key) {
                    let rest = text[r.upperBound...]
                    let end = rest.firstIndex(where: { $0 == "," || $0 == "}" }) ?? rest.endIndex
                    text = String(text[..<r.upperBound]) + Self.replacements[m.int(Self.replacements.count)] + String(text[end...])
                } else {
                    text = text.replacingOccurrences(of: "{\"primitive\"", with: "{\(key)\(Self.replacements[m.int(Self.replacements.count)]), \"primitive\"")
                }
            default:
                // Cut the circuit text somewhere inside: a located QASM error in the PUB.
                if let r = text.range(of: "OPENQASM 3.0;") {
                    let offset = text.distance(from: text.startIndex, to: r.upperBound)
                    let cut = offset + m.int(200)
                    let prefix = String(text.prefix(cut))
                    text = prefix + (m.int(2) == 0 ? "\"}]}" : " foo q[0];\"}]}")
                }
            }
            let job: PUBJob
            do {
                job = try PUBJob.parse(text)
            } catch {
                refused += 1
                // Every refusal says where: a field path, a circuit location, or the JSON as a whole.
                #expect(error.field != nil || error.message.hasPrefix("the job"), "\(error)")
                continue
            }
            parsed += 1
            // Run only what is small: a fuzzed precision of 1e-7 is valid but asks for 10^7 shots a term.
            let small = job.pubs.allSatisfy { pub in
                if case .precision(let p) = pub.target, p < 0.05 { return false }
                if case .shots(let n) = pub.target, n > 10_000 { return false }
                return pub.shots <= 10_000 && pub.circuit.template.qubitCount <= 10
            }
            guard small else { continue }
            do {
                _ = try PUBExecutor.simulate(job, seed: 1)
                ran += 1
            } catch {
                #expect(!error.message.isEmpty)
            }
        }
        print("PUB job fuzz: \(cases) cases, \(parsed) parsed (\(ran) ran), \(refused) refused")
        #expect(refused > cases / 3)
        #expect(parsed > 0)
    }
}
