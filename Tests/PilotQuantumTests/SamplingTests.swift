import Foundation
import Testing
@testable import PilotQuantum

@Suite struct SamplingTests {
    @Test func seededCountsAreConsistentWithExactProbabilities() throws {
        let circuit = RandomCircuit.make(qubits: 5, depth: 4, seed: 11)
        let simulator = StateVectorSimulator(threads: 1)
        let probabilities = try simulator.probabilities(circuit)
        var expected: [String: Double] = [:]
        for (i, p) in probabilities.enumerated() { expected[StateVectorSimulator.bitstring(UInt64(i), width: 5)] = p }
        let shots = 40_000
        let counts = try simulator.sample(circuit, shots: shots, seed: 2024)
        #expect(counts.values.reduce(0, +) == shots)
        let (chi, dof) = ChiSquare.statistic(counts: counts, probabilities: expected, shots: shots)
        let threshold = ChiSquare.quantile(0.999, degreesOfFreedom: dof)
        #expect(dof >= 10)
        #expect(chi < threshold, "chi² = \(chi) with \(dof) degrees of freedom, 99.9% quantile \(threshold)")
    }

    @Test func sameSeedSameCountsOnAnyThreadCount() throws {
        let circuit = RandomCircuit.make(qubits: 17, depth: 3, seed: 5)
        let one = try StateVectorSimulator(threads: 1).sample(circuit, shots: 500, seed: 99)
        let two = try StateVectorSimulator(threads: 2).sample(circuit, shots: 500, seed: 99)
        let other = try StateVectorSimulator(threads: 2).sample(circuit, shots: 500, seed: 100)
        #expect(one == two)
        #expect(one != other)
    }

    @Test func statevectorIsIndependentOfThreadsAndFusion() throws {
        let circuit = RandomCircuit.make(qubits: 16, depth: 5, seed: 3)
        let reference = try StateVectorSimulator(threads: 1, fusion: false).statevector(circuit)
        let fused = try StateVectorSimulator(threads: 2, fusion: true).statevector(circuit)
        let worst = zip(reference, fused).map { ($0 - $1).magnitude }.max() ?? 1
        #expect(worst < 1e-12)
    }

    @Test func bitstringsPutClbitZeroRightmostAndHonourTheMapping() throws {
        let source = """
        OPENQASM 2.0;
        include "qelib1.inc";
        qreg q[2];
        creg c[3];
        creg d[1];
        x q[0];
        measure q[0] -> c[1];
        measure q[1] -> d[0];
        """
        let counts = try StateVectorSimulator().sample(try QASMParser.parse(source), shots: 10, seed: 1)
        #expect(counts == ["0010": 10])
    }

    @Test func unmeasuredCircuitIsMeasuredOnAllQubits() throws {
        var bell = QuantumCircuit(qubits: 2)
        bell.append(.h, [0])
        bell.append(.cx, [0, 1])
        let counts = try StateVectorSimulator().sample(bell, shots: 1000, seed: 8)
        #expect(Set(counts.keys) == ["00", "11"])
        #expect(counts.values.reduce(0, +) == 1000)
    }

    @Test func midCircuitMeasurementAndResetRunPerShot() throws {
        let source = """
        OPENQASM 2.0;
        include "qelib1.inc";
        qreg q[2];
        creg c[3];
        h q[0];
        measure q[0] -> c[0];
        cx q[0], q[1];
        reset q[0];
        measure q[0] -> c[1];
        measure q[1] -> c[2];
        """
        let shots = 4000
        let counts = try StateVectorSimulator().sample(try QASMParser.parse(source), shots: shots, seed: 17)
        // q1 copies the first measurement; q0 is always 0 after the reset.
        #expect(Set(counts.keys).isSubset(of: ["000", "101"]))
        let ones = Double(counts["101"] ?? 0)
        let sigma = (Double(shots) * 0.25).squareRoot()
        #expect(abs(ones - Double(shots) / 2) < 4 * sigma)
    }

    @Test func invalidCircuitsAreRejected() {
        var circuit = QuantumCircuit(qubits: 2)
        circuit.append(.cx, [0, 5])
        #expect(throws: QuantumError.self) { try StateVectorSimulator().statevector(circuit) }
        let wide = QuantumCircuit(qubits: 40)
        do {
            _ = try StateVectorSimulator().statevector(wide)
            Issue.record("40 qubits must be refused")
        } catch {
            #expect(error.code == .simulatorLimit)
        }
    }

    @Test func exactExpectationOfKnownStates() throws {
        // |+i⟩ on qubit 0 and |1⟩ on qubit 1: ⟨Y0⟩ = 1, ⟨Z1⟩ = −1, ⟨Z1 Y0⟩ = −1, ⟨X0⟩ = 0.
        var circuit = QuantumCircuit(qubits: 2)
        circuit.append(.h, [0])
        circuit.append(.s, [0])
        circuit.append(.x, [1])
        let simulator = StateVectorSimulator()
        let state = try simulator.statevector(circuit)
        #expect(abs(simulator.expectation(try PauliString("IY"), state: state) - 1) < 1e-12)
        #expect(abs(simulator.expectation(try PauliString("ZI"), state: state) + 1) < 1e-12)
        #expect(abs(simulator.expectation(try PauliString("ZY"), state: state) + 1) < 1e-12)
        #expect(abs(simulator.expectation(try PauliString("IX"), state: state)) < 1e-12)
    }

    @Test func randomPauliHasRequestedWeight() throws {
        let p = PauliString.random(qubits: 10, weight: 4, seed: 3)
        #expect(p.qubitCount == 10)
        #expect(p.weight == 4)
        #expect(PauliString.random(qubits: 10, weight: 4, seed: 3) == p)
        #expect(throws: QuantumError.self) { try PauliString("XQZ") }
    }
}

extension SamplingTests {
    @Test func mismatchedStateGivesNaNInsteadOfReadingOutOfBounds() throws {
        let simulator = StateVectorSimulator()
        let state = try simulator.statevector(QuantumCircuit(qubits: 2))
        #expect(simulator.expectation(try PauliString("XII"), state: state).isNaN)
        #expect(simulator.expectation(try PauliString("Z"), state: []).isNaN)
        #expect(simulator.expectation(try PauliString("IZ"), state: state) == 1)
    }
}
