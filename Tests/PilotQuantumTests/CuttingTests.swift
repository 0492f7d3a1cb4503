import Foundation
import Testing
@testable import PilotQuantum

@Suite struct CuttingTests {
    /// Rotations on every qubit, a CX ladder along the chain, more rotations and a CZ layer on
    /// neighbours: entangled end to end, so every cut matters.
    static func chain(qubits n: Int, seed: UInt64, czLayer: Bool = true) -> QuantumCircuit {
        var rng = SeededGenerator(seed: seed)
        var c = QuantumCircuit(qubits: n)
        for q in 0..<n { c.append(.ry, [q], [rng.nextDouble() * 3]) }
        for q in 0..<(n - 1) { c.append(.cx, [q, q + 1]) }
        for q in 0..<n { c.append(.u3, [q], [rng.nextDouble() * 3, rng.nextDouble() * 3, rng.nextDouble() * 3]) }
        if czLayer {
            for q in stride(from: 0, to: n - 1, by: 2) { c.append(.cz, [q, q + 1]) }
        }
        for q in 0..<n { c.append(.rx, [q], [rng.nextDouble() * 3]) }
        return c
    }

    static func exact(_ circuit: QuantumCircuit, _ observables: [String]) throws -> [Double] {
        let simulator = StateVectorSimulator()
        let state = try simulator.statevector(circuit)
        return try observables.map { simulator.expectation(try PauliString($0), state: state) }
    }

    static func runAll(_ plan: CutPlan, deviceQubits: Int) async throws -> [QuantumResult] {
        let device = QPUDeviceProfile(name: "ideal-sim", qubits: deviceQubits)
        var results: [QuantumResult] = []
        for job in plan.jobs {
            let circuit = try QASMParser.parse(job.circuit)
            #expect(circuit.qubitCount <= plan.maxFragmentQubits)
            results.append(try await QPUExecutor.run(job, on: device, threads: 1, latencyScale: 0))
        }
        return results
    }

    static let observables12 = [
        "ZIIIIIIIIIIZ", "IIIIIXYIIIII", "IIIIIZZIIIII",
        PauliString.random(qubits: 12, weight: 4, seed: 1).label,
        PauliString.random(qubits: 12, weight: 6, seed: 2).label,
    ]

    @Test func twelveQubitsCutForSevenExactly() async throws {
        let circuit = Self.chain(qubits: 12, seed: 42)
        let plan = try CircuitCutter.cut(circuit, observables: Self.observables12, maxFragmentQubits: 7, shots: 0)
        #expect(plan.cuts.count == 1)
        #expect(plan.fragments.count == 2)
        #expect(plan.fragments.allSatisfy { $0.originalQubits.count <= 7 })
        // One upstream job (4 cut observables per term) and 4 preparations downstream.
        #expect(plan.subexperiments.count == 1 + CutPlan.preparationsPerCut)
        let results = try await Self.runAll(plan, deviceQubits: 7)
        let reconstructed = try CircuitCutter.reconstruct(plan, results: results)
        let exact = try Self.exact(circuit, Self.observables12)
        for (r, x) in zip(reconstructed, exact) {
            #expect(abs(r.value - x) < 1e-9, "\(r.observable): \(r.value) vs \(x)")
            #expect(r.standardError == 0)
        }
        #expect(exact.contains { abs($0) > 0.05 })
    }

    @Test func twelveQubitsWithShotsWithinThreeStandardErrors() async throws {
        let circuit = Self.chain(qubits: 12, seed: 42)
        let plan = try CircuitCutter.cut(circuit, observables: Self.observables12, maxFragmentQubits: 7, shots: 20_000,
                                         seed: 77)
        let results = try await Self.runAll(plan, deviceQubits: 7)
        let reconstructed = try CircuitCutter.reconstruct(plan, results: results)
        let exact = try Self.exact(circuit, Self.observables12)
        for (r, x) in zip(reconstructed, exact) {
            #expect(r.standardError > 0)
            #expect(r.standardError < 0.1)
            #expect(abs(r.value - x) < 3 * r.standardError, "\(r.observable): \(r.value) ± \(r.standardError) vs \(x)")
        }
    }

    @Test func threeFragmentsWithTwoCuts() async throws {
        let circuit = Self.chain(qubits: 16, seed: 5, czLayer: false)
        let observables = ["ZIIIIIIIIIIIIIIZ", PauliString.random(qubits: 16, weight: 5, seed: 9).label,
                           "IIIIIIIXXIIIIIII", "IIIIIYZIIIIZXIII"]
        let plan = try CircuitCutter.cut(circuit, observables: observables, maxFragmentQubits: 6)
        #expect(plan.cuts.count == 2)
        #expect(plan.fragments.count == 3)
        #expect(plan.fragments.contains { !$0.incomingCuts.isEmpty && !$0.outgoingCuts.isEmpty })
        let device = QPUDeviceProfile(name: "six", qubits: 6)
        let reconstructed = try await CircuitCutter.execute(plan, on: device, threads: 1, latencyScale: 0)
        for (r, x) in zip(reconstructed, try Self.exact(circuit, observables)) {
            #expect(abs(r.value - x) < 1e-9, "\(r.observable): \(r.value) vs \(x)")
        }
    }

    /// The CZ layer makes each fragment boundary crossed twice at different times, so the greedy
    /// needs two cuts per boundary here; reconstruction must stay exact with a middle fragment
    /// that both receives and sends cuts.
    @Test func sixteenQubitChainWithCZLayerForSix() async throws {
        let circuit = Self.chain(qubits: 16, seed: 6)
        let observables = ["ZIIIIIIIIIIIIIIZ", PauliString.random(qubits: 16, weight: 5, seed: 3).label]
        let plan = try CircuitCutter.cut(circuit, observables: observables, maxFragmentQubits: 6)
        #expect(plan.cuts.count == 4)
        #expect(plan.fragments.allSatisfy { $0.originalQubits.count <= 6 })
        let results = try await Self.runAll(plan, deviceQubits: 6)
        let reconstructed = try CircuitCutter.reconstruct(plan, results: results)
        for (r, x) in zip(reconstructed, try Self.exact(circuit, observables)) {
            #expect(abs(r.value - x) < 1e-9, "\(r.observable): \(r.value) vs \(x)")
        }
    }

    @Test func randomCircuitWithSeveralCuts() async throws {
        let circuit = RandomCircuit.make(qubits: 6, depth: 2, seed: 8)
        let observables = ["ZZZZZZ", "XIIIIX", PauliString.random(qubits: 6, weight: 3, seed: 4).label]
        let plan = try CircuitCutter.cut(circuit, observables: observables, maxFragmentQubits: 4)
        #expect(plan.cuts.count >= 1)
        let results = try await Self.runAll(plan, deviceQubits: 4)
        let reconstructed = try CircuitCutter.reconstruct(plan, results: results)
        for (r, x) in zip(reconstructed, try Self.exact(circuit, observables)) {
            #expect(abs(r.value - x) < 1e-9, "\(r.observable): \(r.value) vs \(x) with \(plan.cuts.count) cuts")
        }
    }

    @Test func circuitThatFitsIsNotCut() async throws {
        var circuit = Self.chain(qubits: 5, seed: 1)
        circuit.measureAll()
        let plan = try CircuitCutter.cut(circuit, observables: ["ZZIII", "IIXIY"], maxFragmentQubits: 5)
        #expect(plan.cuts.isEmpty)
        #expect(plan.subexperiments.count == 1)
        let results = try await Self.runAll(plan, deviceQubits: 5)
        let reconstructed = try CircuitCutter.reconstruct(plan, results: results)
        for (r, x) in zip(reconstructed, try Self.exact(circuit.unitaryPart, ["ZZIII", "IIXIY"])) {
            #expect(abs(r.value - x) < 1e-12)
        }
    }

    @Test func planIsCodableAndErrorsAreClear() throws {
        let plan = try CircuitCutter.cut(Self.chain(qubits: 8, seed: 3), observables: ["ZIIIIIIZ"], maxFragmentQubits: 5)
        let data = try JSONEncoder().encode(plan)
        #expect(try JSONDecoder().decode(CutPlan.self, from: data) == plan)
        #expect(throws: QuantumError.self) { try CircuitCutter.reconstruct(plan, results: []) }
        var wide = QuantumCircuit(qubits: 4)
        wide.append(.ccx, [0, 1, 2])
        #expect(throws: QuantumError.self) { try CircuitCutter.cut(wide, observables: ["ZZZZ"], maxFragmentQubits: 2) }
        var midMeasure = QuantumCircuit(qubits: 2, clbits: 1)
        midMeasure.measure(0, 0)
        midMeasure.append(.h, [0])
        #expect(throws: QuantumError.self) { try CircuitCutter.cut(midMeasure, observables: ["ZZ"], maxFragmentQubits: 1) }
    }
}
