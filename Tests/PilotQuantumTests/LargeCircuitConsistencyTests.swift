import Testing
@testable import PilotQuantum

/// Large circuits go through fusion, cache blocking and threading, which the ≤ 12-qubit Qiskit
/// fixtures never reach; every path must give the same state as plain gate-by-gate simulation.
@Suite struct LargeCircuitConsistencyTests {
    static func everyGateCircuit(qubits n: Int, gates: Int, seed: UInt64) -> QuantumCircuit {
        var rng = SeededGenerator(seed: seed)
        var c = QuantumCircuit(qubits: n)
        for q in 0..<n { c.append(.h, [q]) }
        for _ in 0..<gates {
            let kind = GateKind.allCases[rng.nextInt(below: GateKind.allCases.count)]
            var qubits: [Int] = []
            while qubits.count < kind.qubitCount {
                let q = rng.nextInt(below: n)
                if !qubits.contains(q) { qubits.append(q) }
            }
            c.append(kind, qubits, (0..<kind.parameterCount).map { _ in rng.nextDouble() * 6 - 3 })
        }
        return c
    }

    @Test func fusionBlockingAndThreadsAgree() throws {
        let circuit = Self.everyGateCircuit(qubits: 17, gates: 300, seed: 31)
        var plain = StateVectorSimulator(threads: 1, fusion: false)
        plain.cacheBlocking = false
        let reference = try plain.statevector(circuit)
        for (threads, fusion) in [(1, true), (2, true), (2, false)] {
            let state = try StateVectorSimulator(threads: threads, fusion: fusion).statevector(circuit)
            let worst = zip(reference, state).map { ($0 - $1).magnitude }.max() ?? 1
            #expect(worst < 1e-10, "threads \(threads), fusion \(fusion): \(worst)")
        }
        let norm = reference.reduce(0) { $0 + $1.normSquared }
        #expect(abs(norm - 1) < 1e-10)
    }
}
