import Foundation
import PilotMiniApps
import PilotQuantum
import Testing

@Suite struct ExactDiagonalizationTests {
    /// Two sites: the ground state lives in {(|00⟩+|11⟩)/√2, (|01⟩+|10⟩)/√2} where
    /// H = [[−J, −2h], [−2h, J]], so E0 = −√(J² + 4h²).
    @Test(arguments: [(1.0, 1.0), (1.0, 0.3), (0.5, 2.0), (2.0, 0.0)])
    func twoQubitsAnalytic(j: Double, h: Double) throws {
        let e = try ExactDiagonalization.groundEnergy(of: .transverseFieldIsing(qubits: 2, j: j, h: h))
        #expect(abs(e - -(j * j + 4 * h * h).squareRoot()) < 1e-12)
    }

    @Test(arguments: [3, 4, 5])
    func classicalLimits(n: Int) throws {
        // h = 0: all spins aligned, −J per bond; J = 0: every spin in |+⟩, −h per site.
        let ising = try ExactDiagonalization.groundEnergy(of: .transverseFieldIsing(qubits: n, j: 1.3, h: 0))
        #expect(abs(ising - -1.3 * Double(n - 1)) < 1e-12)
        let field = try ExactDiagonalization.groundEnergy(of: .transverseFieldIsing(qubits: n, j: 0, h: 0.7))
        #expect(abs(field - -0.7 * Double(n)) < 1e-12)
    }

    /// The spectrum must keep the trace and the Frobenius norm of the matrix (both invariant under
    /// the rotations), and H's terms are traceless products so Tr H = 0 and Tr H² = 2^n Σ c².
    @Test func spectrumInvariants() throws {
        let h = try PauliSum.transverseFieldIsing(qubits: 4, j: 0.8, h: 1.1)
        let values = try ExactDiagonalization.eigenvalues(symmetric: h.denseRealMatrix(), dimension: 16)
        #expect(abs(values.reduce(0, +)) < 1e-10)
        let sumSquares = 16 * h.terms.reduce(0) { $0 + $1.coefficient * $1.coefficient }
        #expect(abs(values.reduce(0) { $0 + $1 * $1 } - sumSquares) < 1e-9)
        #expect(values == values.sorted())
    }

    @Test func denseMatrixMatchesStatevectorExpectation() throws {
        // ⟨ψ|H|ψ⟩ from the dense matrix equals the Pauli-by-Pauli energy for a random real state.
        let h = try PauliSum.transverseFieldIsing(qubits: 3, j: 0.9, h: 0.4)
        let m = try h.denseRealMatrix()
        let state = try StateVectorSimulator().statevector(HardwareEfficientAnsatz(qubits: 3, layers: 1)
            .circuit(parameters: (0..<12).map { Double($0) * 0.37 - 1 }))
        var viaMatrix = 0.0
        for r in 0..<8 { for c in 0..<8 {
            let a = state[r].conjugate * state[c]
            viaMatrix += m[r * 8 + c] * a.re
        } }
        #expect(abs(viaMatrix - h.energy(state: state)) < 1e-12)
    }

    @Test func refusesAsymmetricInput() {
        #expect(throws: MiniAppError.self) { try ExactDiagonalization.eigenvalues(symmetric: [1, 2, 3, 4], dimension: 2) }
    }
}
