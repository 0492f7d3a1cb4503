import Foundation
import Testing
@testable import PilotQuantum

/// Gate cuts (CZ, CX, CP, RZZ by quasi-probability decomposition), alone and mixed with wire cuts.
@Suite struct GateCutTests {
    /// Layers of random rotations on every qubit, then two-qubit gates on random disjoint pairs,
    /// drawn from cuttable kinds (cz, cx, cp, rzz) and kinds only a wire cut can split (cy, crx),
    /// so plans mix both cut types.
    static func mixedCircuit(qubits n: Int, depth: Int, seed: UInt64) -> QuantumCircuit {
        var rng = SeededGenerator(seed: seed)
        var c = QuantumCircuit(qubits: n)
        let twoQubit: [GateKind] = [.cz, .cx, .cp, .rzz, .cz, .cx, .cy, .crx]
        for _ in 0..<depth {
            for q in 0..<n {
                c.append(.u3, [q], [rng.nextDouble() * 3, rng.nextDouble() * 6 - 3, rng.nextDouble() * 6 - 3])
            }
            var order = Array(0..<n)
            for i in stride(from: n - 1, to: 0, by: -1) { order.swapAt(i, rng.nextInt(below: i + 1)) }
            for pair in 0..<(n / 2) {
                let kind = twoQubit[rng.nextInt(below: twoQubit.count)]
                c.append(kind, [order[2 * pair], order[2 * pair + 1]],
                         kind.parameterCount == 1 ? [rng.nextDouble() * 6 - 3] : [])
            }
        }
        for q in 0..<n { c.append(.ry, [q], [rng.nextDouble() * 3]) }
        return c
    }

    static func reconstructExactly(_ circuit: QuantumCircuit, _ observables: [String], maxFragmentQubits: Int,
                                   shots: Int = 0, seed: UInt64? = nil) async throws -> (CutPlan, [ExpectationValue]) {
        let plan = try CircuitCutter.cut(circuit, observables: observables, maxFragmentQubits: maxFragmentQubits,
                                         shots: shots, seed: seed, cutGates: true)
        let results = try await CuttingTests.runAll(plan, deviceQubits: maxFragmentQubits)
        return (plan, try CircuitCutter.reconstruct(plan, results: results))
    }

    @Test func singleCZBetweenTwoHalves() async throws {
        var circuit = QuantumCircuit(qubits: 4)
        for q in 0..<4 { circuit.append(.u3, [q], [0.3 + Double(q), 0.7, -0.4 * Double(q)]) }
        circuit.append(.cx, [0, 1])
        circuit.append(.cx, [2, 3])
        circuit.append(.cz, [1, 2])
        circuit.append(.cx, [0, 1])
        circuit.append(.cx, [2, 3])
        let observables = ["ZZZZ", "XIIX", "IYXI"]
        let (plan, values) = try await Self.reconstructExactly(circuit, observables, maxFragmentQubits: 3)
        #expect(plan.cuts.isEmpty)
        #expect(plan.gateCuts.count == 1)
        #expect(plan.fragments.count == 2)
        // Five local settings per fragment end, one fragment end on each side.
        #expect(plan.subexperiments.count == 2 * CutPlan.GateChoice.allCases.count)
        #expect(abs(plan.samplingOverhead - 9) < 1e-12)
        for (r, x) in zip(values, try CuttingTests.exact(circuit, observables)) {
            #expect(abs(r.value - x) < 1e-12, "\(r.observable): \(r.value) vs \(x)")
            #expect(r.standardError == 0)
        }
    }

    @Test func overheadsMatchTheory() throws {
        for lambda in [0.0, 0.3, -1.1, Double.pi / 2, 2.5, Double.pi] {
            let cp = CutPlan.GateCut(gate: 0, kind: .cp, qubits: [0, 1],
                                     theta: CutPlan.GateCut.theta(of: QuantumGate(.cp, [0, 1], [lambda])),
                                     fragments: [0, 1], lines: [0, 0], ancillaLines: [1, 1])
            let expected = pow(1 + 2 * abs(sin(lambda / 2)), 2)
            #expect(abs(cp.gamma * cp.gamma - expected) < 1e-12, "CP(\(lambda)): \(cp.gamma * cp.gamma) vs \(expected)")
            let rzz = CutPlan.GateCut.theta(of: QuantumGate(.rzz, [0, 1], [lambda]))
            let gamma = CutPlan.GateCut.terms(theta: rzz).reduce(0) { $0 + abs($1.coefficient) }
            #expect(abs(gamma * gamma - pow(1 + 2 * abs(sin(lambda)), 2)) < 1e-12)
        }
        for kind in [GateKind.cz, .cx] {
            let theta = CutPlan.GateCut.theta(of: QuantumGate(kind, [0, 1]))
            let gamma = CutPlan.GateCut.terms(theta: theta).reduce(0) { $0 + abs($1.coefficient) }
            #expect(abs(gamma * gamma - 9) < 1e-12)
        }
        // The six coefficients sum to 1: the decomposition is trace preserving.
        let sum = CutPlan.GateCut.terms(theta: 0.37).reduce(0) { $0 + $1.coefficient }
        #expect(abs(sum - 1) < 1e-15)
    }

    /// 30 random circuits (≥ 20 of them with gate cuts) with exact fragment values: reconstruction equals the uncut value.
    @Test func exactReconstructionOnRandomCircuits() async throws {
        var gateCutPlans = 0
        var mixedPlans = 0
        for index in 0..<30 {
            let n = 5 + index % 4
            let circuit = Self.mixedCircuit(qubits: n, depth: 2, seed: 500 + UInt64(index))
            let observables = [String(repeating: "Z", count: n),
                               PauliString.random(qubits: n, weight: 2, seed: UInt64(index)).label,
                               PauliString.random(qubits: n, weight: n - 1, seed: 99 + UInt64(index)).label]
            let (plan, values) = try await Self.reconstructExactly(circuit, observables, maxFragmentQubits: (n + 1) / 2 + 1)
            if !plan.gateCuts.isEmpty { gateCutPlans += 1 }
            if !plan.gateCuts.isEmpty && !plan.cuts.isEmpty { mixedPlans += 1 }
            for (r, x) in zip(values, try CuttingTests.exact(circuit, observables)) {
                #expect(abs(r.value - x) < 1e-12,
                        "circuit \(index) (\(plan.cuts.count) wire, \(plan.gateCuts.count) gate cuts) \(r.observable): \(r.value) vs \(x)")
            }
        }
        print("gate cuts: \(gateCutPlans) of 30 plans cut gates, \(mixedPlans) mix wire and gate cuts")
        #expect(gateCutPlans >= 20)
        #expect(mixedPlans >= 3)
    }

    /// Seeds of `mixedCircuit(qubits: 5, depth: 2, ...)` whose plan for fragments of 4 qubits cuts
    /// at least one gate, found by scanning (the partitioner decides, not the test).
    static func seedsWithGateCuts(_ count: Int) throws -> [UInt64] {
        var seeds: [UInt64] = []
        for seed in UInt64(900)..<1100 where seeds.count < count {
            let plan = try CircuitCutter.cut(mixedCircuit(qubits: 5, depth: 2, seed: seed), observables: ["ZZZZZ"],
                                             maxFragmentQubits: 4, cutGates: true)
            if !plan.gateCuts.isEmpty { seeds.append(seed) }
        }
        return seeds
    }

    @Test func shotsLandWithinThreeStandardErrors() async throws {
        let seeds = try Self.seedsWithGateCuts(3)
        #expect(seeds.count == 3)
        for (index, seed) in seeds.enumerated() {
            let circuit = Self.mixedCircuit(qubits: 5, depth: 2, seed: seed)
            let observables = ["ZZZZZ", PauliString.random(qubits: 5, weight: 2, seed: 7 + UInt64(index)).label]
            let (plan, values) = try await Self.reconstructExactly(circuit, observables, maxFragmentQubits: 4,
                                                                  shots: 20_000, seed: 31 + UInt64(index))
            #expect(!plan.gateCuts.isEmpty)
            for (r, x) in zip(values, try CuttingTests.exact(circuit, observables)) {
                #expect(r.standardError > 0)
                #expect(abs(r.value - x) < 3 * r.standardError, "\(r.observable): \(r.value) ± \(r.standardError) vs \(x)")
            }
        }
    }

    @Test func planWithGateCutsIsCodable() throws {
        let circuit = Self.mixedCircuit(qubits: 5, depth: 2, seed: try #require(try Self.seedsWithGateCuts(1).first))
        let plan = try CircuitCutter.cut(circuit, observables: ["ZZZZZ"], maxFragmentQubits: 4, cutGates: true)
        #expect(!plan.gateCuts.isEmpty)
        let decoded = try JSONDecoder().decode(CutPlan.self, from: try JSONEncoder().encode(plan))
        #expect(decoded == plan)
        // Plans stored before gate cuts existed have none of their keys.
        let wireOnly = try CircuitCutter.cut(CuttingTests.chain(qubits: 8, seed: 3), observables: ["ZIIIIIIZ"],
                                             maxFragmentQubits: 5)
        var object = try #require(try JSONSerialization.jsonObject(with: try JSONEncoder().encode(wireOnly)) as? [String: Any])
        object["gateCuts"] = nil
        if var fragments = object["fragments"] as? [[String: Any]] {
            for i in fragments.indices { fragments[i]["gateCutEnds"] = nil }
            object["fragments"] = fragments
        }
        if var subexperiments = object["subexperiments"] as? [[String: Any]] {
            for i in subexperiments.indices { subexperiments[i]["gateChoices"] = nil }
            object["subexperiments"] = subexperiments
        }
        let old = try JSONSerialization.data(withJSONObject: object)
        #expect(try JSONDecoder().decode(CutPlan.self, from: old) == wireOnly)
    }
}
