import Foundation
import Testing
@testable import PilotQuantum

/// The estimated success probability against the Hellinger fidelity the noisy embedded simulator
/// actually delivers, on the shipped noisy devices.
@Suite struct FidelityEstimateTests {
    static let noisyDevices = ["superconducting-27", "trapped-ion-11", "line-20"]

    /// Ranks with ties sharing their mean rank.
    static func ranks(_ values: [Double]) -> [Double] {
        let order = values.indices.sorted { values[$0] < values[$1] }
        var result = [Double](repeating: 0, count: values.count)
        var i = 0
        while i < order.count {
            var j = i
            while j + 1 < order.count, values[order[j + 1]] == values[order[i]] { j += 1 }
            for k in i...j { result[order[k]] = Double(i + j) / 2 }
            i = j + 1
        }
        return result
    }

    static func spearman(_ x: [Double], _ y: [Double]) -> Double {
        let (rx, ry) = (ranks(x), ranks(y))
        let mx = rx.reduce(0, +) / Double(rx.count), my = ry.reduce(0, +) / Double(ry.count)
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for (a, b) in zip(rx, ry) {
            sxy += (a - mx) * (b - my)
            sxx += (a - mx) * (a - mx)
            syy += (b - my) * (b - my)
        }
        return sxy / (sxx * syy).squareRoot()
    }

    @Test func spearmanOfKnownOrders() {
        #expect(Self.spearman([1, 2, 3, 4], [10, 20, 30, 40]) == 1)
        #expect(Self.spearman([1, 2, 3, 4], [4, 3, 2, 1]) == -1)
        #expect(Self.ranks([5, 1, 5]) == [1.5, 0, 1.5])
    }

    @Test func countsTermsOfTheProduct() {
        var circuit = QuantumCircuit(qubits: 3, clbits: 2)
        circuit.append(.h, [0])
        circuit.append(.cx, [0, 1])
        circuit.append(.ccx, [0, 1, 2])
        circuit.measure(0, 0)
        circuit.measure(2, 1)
        let noise = NoiseModel(depolarizing1q: 0.01, depolarizing2q: 0.05, readout: 0.1)
        let e = FidelityEstimate.estimate(circuit, noise: noise)
        #expect(e.oneQubitGates == 1 && e.twoQubitGates == 1 && e.threeQubitGates == 1 && e.measuredQubits == 2)
        #expect(abs(e.successProbability - 0.99 * pow(0.95, 4) * 0.81) < 1e-15)
    }

    /// 30 circuits from shallow to deep on each noisy device: the estimate must rank them as the
    /// measured Hellinger fidelity (noisy counts against the ideal distribution) does.
    @Test func estimateRanksLikeMeasuredHellingerFidelity() throws {
        var estimates: [Double] = []
        var measured: [Double] = []
        for name in Self.noisyDevices {
            let device = try RoutingTests.device(name)
            var deviceEstimates: [Double] = []
            var deviceMeasured: [Double] = []
            for k in 0..<30 {
                let n = 4 + k % 4
                let circuit = RandomCircuit.make(qubits: n, depth: 1 + k, seed: 4000 + UInt64(k))
                let router = SabreRouter(seed: UInt64(k), layoutTrials: 2)
                let routed = try router.route(circuit, on: device)
                let estimate = FidelityEstimate.estimate(routed.circuit, noise: device.noise, swaps: routed.swapCount,
                                                         measuredWithoutMeasurements: n)
                // Sample the routed circuit on its region, measuring logical qubit l into clbit l.
                var sampled = try RoutingTests.compact(routed)
                sampled = QuantumCircuit(quantumRegisters: sampled.quantumRegisters,
                                         classicalRegisters: [.init(name: "c", size: n)], operations: sampled.operations)
                for (l, p) in routed.finalLayout.enumerated() { sampled.measure(routed.region.firstIndex(of: p)!, l) }
                let shots = 8000
                // The device's own noise, with more trajectories than its 50: the measured fidelity
                // should reflect the noise model, not the trajectory sampling.
                var noise = device.noise
                noise.trajectories = 1000
                let counts = try StateVectorSimulator().sample(sampled, shots: shots, seed: 77 + UInt64(k), noise: noise)
                let ideal = try StateVectorSimulator().probabilities(circuit)
                var overlap = 0.0
                for (i, p) in ideal.enumerated() where p > 0 {
                    let q = Double(counts[StateVectorSimulator.bitstring(UInt64(i), width: n)] ?? 0) / Double(shots)
                    overlap += (p * q).squareRoot()
                }
                deviceEstimates.append(estimate.successProbability)
                deviceMeasured.append(overlap * overlap)
            }
            let perDevice = Self.spearman(deviceEstimates, deviceMeasured)
            // Within one device the spread is narrower (trapped ions stay near 1), so only a looser bound.
            #expect(perDevice >= 0.7, "\(name): Spearman \(perDevice)")
            print("fidelity \(name): ESP \(deviceEstimates.min()!)...\(deviceEstimates.max()!), Hellinger \(deviceMeasured.min()!)...\(deviceMeasured.max()!), Spearman \(perDevice)")
            estimates += deviceEstimates
            measured += deviceMeasured
        }
        let rho = Self.spearman(estimates, measured)
        print("fidelity: Spearman rank correlation over \(estimates.count) device-circuit pairs = \(rho)")
        #expect(rho >= 0.8)
    }
}
