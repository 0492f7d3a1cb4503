import Foundation

/// Estimated success probability (ESP) of a circuit on a noisy device: the chance that no gate
/// and no readout goes wrong, Π_gates (1 − e_gate) × Π_measured qubits (1 − e_readout), with e
/// the device's depolarizing probability for one- and two-qubit gates (three-qubit gates count as
/// the simulator's noise model treats them: the two-qubit error on each of their qubits) and its
/// readout flip probability. Counted on the routed circuit, so SWAPs and basis lowering cost what
/// they cost on the device. A cheap ranking signal for choosing devices, not a prediction of any
/// particular fidelity metric.
public struct FidelityEstimate: Sendable, Hashable {
    public var oneQubitGates: Int
    public var twoQubitGates: Int
    public var threeQubitGates: Int
    public var measuredQubits: Int
    /// SWAPs routing added (0 when the circuit was not routed).
    public var swaps: Int
    public var successProbability: Double

    /// ESP of `circuit` as it stands (no routing). Without measurements, every qubit counts as
    /// measured, as sampling measures them all.
    public static func estimate(_ circuit: QuantumCircuit, noise: NoiseModel) -> FidelityEstimate {
        estimate(circuit, noise: noise, swaps: 0, measuredWithoutMeasurements: circuit.qubitCount)
    }

    /// ESP of `circuit` after routing it onto `device` with `router` (lowered to the basis when the
    /// device enforces it).
    public static func estimate(_ circuit: QuantumCircuit, on device: QPUDeviceProfile,
                                router: SabreRouter = SabreRouter()) throws(QuantumError) -> FidelityEstimate {
        let routed = try router.route(circuit, on: device)
        // The routed circuit is as wide as the device; only the logical qubits would be measured.
        return estimate(routed.circuit, noise: device.noise, swaps: routed.swapCount,
                        measuredWithoutMeasurements: circuit.qubitCount)
    }

    static func estimate(_ circuit: QuantumCircuit, noise: NoiseModel, swaps: Int,
                         measuredWithoutMeasurements: Int) -> FidelityEstimate {
        var counts = [0, 0, 0, 0]
        var measured = Set<Int>()
        for op in circuit.operations {
            switch op {
            case .gate(let g): counts[min(g.qubits.count, 3)] += 1
            case .measure(let q, _): measured.insert(q)
            case .reset, .barrier: break
            }
        }
        let measuredCount = measured.isEmpty ? measuredWithoutMeasurements : measured.count
        let probability = pow(1 - noise.depolarizing1q, Double(counts[1]))
            * pow(1 - noise.depolarizing2q, Double(counts[2] + 3 * counts[3]))
            * pow(1 - noise.readout, Double(measuredCount))
        return FidelityEstimate(oneQubitGates: counts[1], twoQubitGates: counts[2], threeQubitGates: counts[3],
                                measuredQubits: measuredCount, swaps: swaps, successProbability: probability)
    }
}
