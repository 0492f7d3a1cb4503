import Foundation
import Testing
@testable import PilotQuantum

@Suite struct NoiseTests {
    /// ⟨Z⟩ estimated from counts of a one-qubit outcome on clbit 0.
    private func zExpectation(_ counts: [String: Int], bit: Int = 0) -> (Double, Double) {
        let shots = counts.values.reduce(0, +)
        var sum = 0
        for (key, count) in counts {
            let ch = key[key.index(key.endIndex, offsetBy: -1 - bit)]
            sum += ch == "0" ? count : -count
        }
        let mean = Double(sum) / Double(shots)
        return (mean, ((1 - mean * mean) / Double(shots)).squareRoot())
    }

    @Test func oneQubitDepolarizingShrinksZ() throws {
        let p = 0.3
        var circuit = QuantumCircuit(qubits: 1, clbits: 1)
        circuit.append(.id, [0])
        circuit.measure(0, 0)
        let shots = 20_000
        let noise = NoiseModel(depolarizing1q: p, trajectories: shots)
        let (counts, trajectories) = try StateVectorSimulator().sampleCounts(circuit, shots: shots, seed: 7, noise: noise)
        #expect(trajectories == shots)
        let (z, se) = zExpectation(counts)
        let expected = 1 - 4 * p / 3
        #expect(abs(z - expected) < 4 * se, "⟨Z⟩ = \(z) ± \(se), expected \(expected)")
    }

    @Test func twoQubitDepolarizingShrinksZ() throws {
        let p = 0.2
        var circuit = QuantumCircuit(qubits: 2, clbits: 2)
        circuit.append(.cx, [0, 1])
        circuit.measure(0, 0)
        circuit.measure(1, 1)
        let shots = 20_000
        let counts = try StateVectorSimulator().sample(circuit, shots: shots, seed: 9,
                                                       noise: NoiseModel(depolarizing2q: p, trajectories: shots))
        // 8 of the 15 two-qubit Paulis flip qubit 0 (X or Y on it): ⟨Z0⟩ = 1 − 16p/15.
        let (z, se) = zExpectation(counts, bit: 0)
        #expect(abs(z - (1 - 16 * p / 15)) < 4 * se, "⟨Z0⟩ = \(z) ± \(se)")
    }

    @Test func readoutErrorFlipsMeasuredBits() throws {
        let p = 0.1
        var circuit = QuantumCircuit(qubits: 2, clbits: 2)
        circuit.append(.x, [1])
        circuit.measure(0, 0)
        circuit.measure(1, 1)
        let shots = 20_000
        let counts = try StateVectorSimulator().sample(circuit, shots: shots, seed: 21, noise: NoiseModel(readout: p))
        let sigma = (Double(shots) * p * (1 - p)).squareRoot()
        let bit0Ones = counts.filter { $0.key.last == "1" }.values.reduce(0, +)
        let bit1Zeros = counts.filter { $0.key.first == "0" }.values.reduce(0, +)
        #expect(abs(Double(bit0Ones) - p * Double(shots)) < 4 * sigma)
        #expect(abs(Double(bit1Zeros) - p * Double(shots)) < 4 * sigma)
        // Independent flips: both flipped with probability p².
        #expect(counts["01"] ?? 0 > 0)
    }

    @Test func noisyCountsAreDeterministicAcrossThreadCounts() throws {
        var circuit = RandomCircuit.make(qubits: 16, depth: 2, seed: 4)
        circuit.measureAll()
        let noise = NoiseModel(depolarizing1q: 0.01, depolarizing2q: 0.05, readout: 0.02, trajectories: 8)
        let a = try StateVectorSimulator(threads: 1).sampleCounts(circuit, shots: 64, seed: 5, noise: noise)
        let b = try StateVectorSimulator(threads: 2).sampleCounts(circuit, shots: 64, seed: 5, noise: noise)
        #expect(a.counts == b.counts)
        #expect(a.trajectories == 8)
    }

    @Test func outOfRangeProbabilityIsRejected() {
        #expect(throws: QuantumError.self) {
            try StateVectorSimulator().sample(QuantumCircuit(qubits: 1), shots: 1, seed: 1, noise: NoiseModel(readout: 1.5))
        }
    }
}
