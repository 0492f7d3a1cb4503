import Foundation
import Testing
@testable import PilotQuantum

/// The cutting optimizer: it picks by predicted makespan, keeps to budgets, names the best plan's
/// cost when no plan meets a budget, and refuses a circuit no device can hold.
@Suite struct CutOptimizerTests {
    static func device(_ name: String) throws -> QPUDeviceProfile {
        try QPUDeviceProfile.load(path: ProfileTests.profileDirectory + "/\(name).yaml")
    }

    @Test func choosesTheLeastPredictedMakespanAndListsRunnersUp() throws {
        let circuit = CircuitFamily.ladder.make(qubits: 10, layers: 1, seed: 3)
        let pool = ResourcePool(cores: 4, profiles: [try Self.device("small-7"), try Self.device("line-20")])
        let outcome = try CutOptimizer(model: .standard, pool: pool).search(circuit, observables: ["ZZZZZZZZZZ"], shots: 200)
        #expect(outcome.ranked.count >= 3)
        for (a, b) in zip(outcome.ranked, outcome.ranked.dropFirst()) {
            #expect(a.predictedMakespan <= b.predictedMakespan)
        }
        // line-20 holds all 10 qubits: the uncut plan is one of the candidates, one task on it.
        let uncut = try #require(outcome.ranked.first { $0.wireCuts == 0 && $0.gateCuts == 0 })
        #expect(uncut.subexperiments == 1)
        #expect(uncut.fragmentDevices == ["line-20"])
        #expect(uncut.label == "w10 uncut → line-20")
        // small-7 alone and spread over both devices are considered too.
        #expect(outcome.ranked.contains { $0.placement == "single" && $0.fragmentDevices.allSatisfy { $0 == "small-7" } })
        #expect(outcome.ranked.contains { $0.placement == "spread" })
        // Every plan's assignment covers its sub-experiments on devices wide enough for them.
        for plan in outcome.ranked {
            #expect(plan.assignment.count == plan.subexperiments)
            let cut = try #require(outcome.cutPlan(for: plan))
            for (sub, a) in zip(cut.subexperiments, plan.assignment) {
                let width = cut.fragments[sub.fragment].circuit.qubitCount
                #expect(try Self.device(a.device).qubits >= width)
            }
        }
    }

    @Test func aBusyDeviceChangesTheChoice() throws {
        let circuit = CircuitFamily.ladder.make(qubits: 10, layers: 1, seed: 3)
        var pool = ResourcePool(cores: 4, profiles: [try Self.device("small-7"), try Self.device("line-20")])
        pool.devices[1].busySeconds = [100, 100]   // line-20's queue: both slots taken for 100 s
        let outcome = try CutOptimizer(model: .standard, pool: pool).search(circuit, observables: ["ZZZZZZZZZZ"], shots: 200)
        #expect(!outcome.chosen.assignment.contains { $0.device == "line-20" })
        #expect(outcome.chosen.predictedMakespan < 100)
    }

    @Test func overheadBudgetExcludesCutPlans() throws {
        let circuit = CircuitFamily.ghz.make(qubits: 9, layers: 1, seed: 4)
        let pool = ResourcePool(cores: 4, profiles: [try Self.device("small-7"), try Self.device("line-20")])
        let outcome = try CutOptimizer(model: .standard, pool: pool, budget: CutBudget(maxSamplingOverhead: 1))
            .search(circuit, observables: ["ZZZZZZZZZ"], shots: 100)
        #expect(outcome.ranked.allSatisfy { $0.samplingOverhead <= 1 })
        #expect(!outcome.overBudget.isEmpty)
    }

    @Test func aBudgetNoPlanMeetsNamesTheBestPlansCost() throws {
        let circuit = CircuitFamily.ghz.make(qubits: 9, layers: 1, seed: 4)
        let pool = ResourcePool(cores: 4, profiles: [try Self.device("small-7")])
        let error = #expect(throws: DreamerError.self) {
            try CutOptimizer(model: .standard, pool: pool, budget: CutBudget(maxSamplingOverhead: 2))
                .search(circuit, observables: ["ZZZZZZZZZ"], shots: 100)
        }
        #expect(error?.code == .budgetUnmet)
        #expect(error?.message.contains("the best plan, 'w7") == true)
        #expect(error?.message.contains("costs sampling overhead 9") == true || error?.message.contains("costs sampling overhead 36") == true)
    }

    @Test func anErrorTargetNoPlanMeetsIsRefused() throws {
        let circuit = CircuitFamily.ghz.make(qubits: 9, layers: 1, seed: 4)
        let pool = ResourcePool(cores: 4, profiles: [try Self.device("small-7")])
        let error = #expect(throws: DreamerError.self) {
            try CutOptimizer(model: .standard, pool: pool, budget: CutBudget(errorTarget: 0.01))
                .search(circuit, observables: ["ZZZZZZZZZ"], shots: 100)
        }
        #expect(error?.code == .budgetUnmet)
        #expect(error?.message.contains("predicted error") == true)
    }

    @Test func aCircuitNoDeviceCanHoldIsRefusedWithTheReason() throws {
        // A Toffoli needs three qubits in one fragment; the only device has two.
        var circuit = QuantumCircuit(qubits: 4)
        circuit.append(.h, [0])
        circuit.append(.ccx, [0, 1, 2])
        circuit.append(.cx, [2, 3])
        let two = QPUDeviceProfile(name: "pair", qubits: 2, couplingMap: [[0, 1]], maxConcurrentJobs: 1)
        let error = #expect(throws: DreamerError.self) {
            try CutOptimizer(model: .standard, pool: ResourcePool(cores: 2, profiles: [two]))
                .search(circuit, observables: ["ZZZZ"], shots: 100)
        }
        #expect(error?.code == .noPlan)
        #expect(error?.message.contains("no device can hold the 4-qubit circuit") == true)
        #expect(error?.message.contains("3-qubit gate cannot fit in fragments of 2 qubits") == true)
    }

    @Test func gateCutPlansAreConsidered() throws {
        let circuit = CircuitFamily.ladder.make(qubits: 10, layers: 1, seed: 3)
        let pool = ResourcePool(cores: 4, profiles: [try Self.device("small-7")])
        let outcome = try CutOptimizer(model: .standard, pool: pool).search(circuit, observables: ["ZZZZZZZZZZ"], shots: 200)
        #expect(outcome.ranked.contains { $0.gateCuts > 0 })
        #expect(outcome.ranked.contains { $0.wireCuts > 0 && $0.gateCuts == 0 })
    }
}
