import ArgumentParser
import Dispatch
import Foundation
import PilotQuantum

extension BenchCommand {
    /// `pilot bench pubs`: what one binding of a PUB costs on the agent, in process (no manager).
    /// A hardware-efficient ansatz written as `qiskit.qasm3.dumps` writes one (a gate definition per
    /// layer, `input float[64]` parameters) is read once; then, per binding: patching the recorded
    /// angles (`bind`), against reading the program again (`reread`, what binding cost before), and
    /// whole PUB jobs per binding for the exact estimator and the sampler.
    struct PUBs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "pubs", abstract: "Per-binding cost of PUB jobs: bind by patching vs re-reading, estimator and sampler.")
        @Option(help: "Qubits of the ansatz.") var qubits = 10
        @Option(help: "Layers (each a user gate per neighbouring pair).") var layers = 4
        @Option(help: "Parameter bindings per PUB.") var bindings = 1000
        @Option(help: "Sampler shots per binding.") var shots = 1000
        @Option(help: "Also append every JSON line to this file.") var out: String?

        func run() async throws {
            BenchLine.outFile = out
            let (text, names) = Self.ansatz(qubits: qubits, layers: layers)
            var rng = SeededGenerator(seed: 42)
            let values = (0..<bindings).map { _ in names.map { _ in (rng.nextDouble() - 0.5) * 6 } }
            func seconds(_ body: () throws -> Void) rethrows -> Double {
                let t = DispatchTime.now().uptimeNanoseconds
                try body()
                return Double(DispatchTime.now().uptimeNanoseconds - t) / 1e9
            }
            var program: ParameterizedCircuit?
            let read = try seconds { program = try QASMParser.parseParameterized(text, fileName: "ansatz.qasm") }
            let circuit = program!
            let dicts = values.map { Dictionary(uniqueKeysWithValues: zip(names, $0)) }
            let patched = try seconds { for d in dicts { _ = try circuit.bind(d) } }
            let reread = try seconds { for d in dicts { _ = try circuit.reread(d) } }
            let gates = circuit.template.gateCount
            BenchLine.print(["workload": "pub-bind", "qubits": qubits, "layers": layers, "parameters": names.count,
                             "gates": gates, "bindings": bindings, "read_ms": read * 1e3,
                             "bind_us": patched / Double(bindings) * 1e6, "reread_us": reread / Double(bindings) * 1e6,
                             "speedup": reread / patched])

            let parameterValues = "[" + values.map { "[" + $0.map { "\($0)" }.joined(separator: ",") + "]" }.joined(separator: ",") + "]"
            let quoted = String(decoding: try JSONEncoder().encode(text), as: UTF8.self)
            let z = String(repeating: "Z", count: qubits)
            let x = String(repeating: "X", count: qubits)
            let zz = "ZZ" + String(repeating: "I", count: qubits - 2)
            let estimator = try PUBJob.parse("""
                {"primitive": "estimator", "precision": 0, "pubs": [{"circuit": \(quoted), "parameter_values": \(parameterValues),
                 "observables": [[["\(z)", 1.0], ["\(x)", -0.5], ["\(zz)", 0.25]]]}]}
                """)
            let sampler = try PUBJob.parse("""
                {"primitive": "sampler", "shots": \(shots), "pubs": [{"circuit": "\(String(quoted.dropFirst().dropLast()))\\nbit[\(qubits)] c;\\nc = measure q;",
                 "parameter_values": \(parameterValues)}]}
                """)
            let e = try seconds { _ = try PUBExecutor.simulate(estimator, seed: 1) }
            let s = try seconds { _ = try PUBExecutor.simulate(sampler, seed: 1) }
            BenchLine.print(["workload": "pub-run", "qubits": qubits, "layers": layers, "bindings": bindings,
                             "estimator_exact_us_per_binding": e / Double(bindings) * 1e6,
                             "sampler_us_per_binding": s / Double(bindings) * 1e6, "shots": shots])
        }

        /// The ansatz as OpenQASM 3 text and its parameter names.
        static func ansatz(qubits: Int, layers: Int) -> (String, [String]) {
            var lines = ["OPENQASM 3.0;", "include \"stdgates.inc\";"]
            var names: [String] = []
            for l in 0..<layers {
                for q in 0..<qubits { names.append("_θ_\(l)_\(q)_") }
            }
            for n in names { lines.append("input float[64] \(n);") }
            lines.append("gate layer_pair(_gate_p_0, _gate_p_1) _gate_q_0, _gate_q_1 { ry(_gate_p_0) _gate_q_0; rz(2*_gate_p_1 + pi/4) _gate_q_1; cx _gate_q_0, _gate_q_1; }")
            lines.append("qubit[\(qubits)] q;")
            for l in 0..<layers {
                for q in 0..<(qubits - 1) {
                    lines.append("layer_pair(_θ_\(l)_\(q)_, -_θ_\(l)_\(q + 1)_) q[\(q)], q[\(q + 1)];")
                }
                lines.append("rx(_θ_\(l)_\(qubits - 1)_ / 2) q[\(qubits - 1)];")
            }
            return (lines.joined(separator: "\n") + "\n", names)
        }
    }
}
