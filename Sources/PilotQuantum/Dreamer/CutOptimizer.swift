import Foundation

/// Searches cut plans for a circuit and picks the one with the least predicted makespan that keeps
/// to a budget: fragment widths from the widest device down, wire cuts only or gate cuts too, and
/// each plan's sub-experiments on one device or spread over every device that holds them. Each
/// candidate's makespan comes from `MakespanSimulator` with `PerformanceModel` runtimes on the
/// given pool, so a busy device or few free cores change the choice.
///
/// CPU-heavy (it cuts the circuit once per width and routes every fragment onto every device): run
/// it on a worker pool, never on an event loop or in the reactor.
public struct CutOptimizer: Sendable {
    public var model: PerformanceModel
    public var pool: ResourcePool
    public var budget: CutBudget
    public var router: SabreRouter
    /// Plans with more sub-experiments are not considered (they would flood the queue).
    public var maxSubexperiments: Int
    /// Narrowest fragments tried.
    public var minFragmentQubits: Int
    /// Widest fragments tried (nil: the widest device); with `minFragmentQubits` equal, the width is fixed.
    public var maxFragmentQubits: Int?

    public init(model: PerformanceModel, pool: ResourcePool, budget: CutBudget = .unlimited,
                router: SabreRouter = SabreRouter(layoutTrials: 2, layoutIterations: 1),
                maxSubexperiments: Int = 4096, minFragmentQubits: Int = 2) {
        self.model = model
        self.pool = pool
        self.budget = budget
        self.router = router
        self.maxSubexperiments = maxSubexperiments
        self.minFragmentQubits = minFragmentQubits
    }

    public struct Outcome: Sendable {
        /// The chosen plan first, then the other plans within budget by predicted makespan.
        public var ranked: [CandidatePlan]
        /// Plans considered but over budget, with the reason.
        public var overBudget: [(plan: CandidatePlan, reason: String)]
        /// Cut plans of each width, by `maxFragmentQubits` and gate-cut flag (for running them).
        public var cutPlans: [PlanKey: CutPlan]
        /// Widths or devices left out, with the reason.
        public var skipped: [String]

        public var chosen: CandidatePlan { ranked[0] }
        public func cutPlan(for candidate: CandidatePlan) -> CutPlan? {
            cutPlans[PlanKey(width: candidate.maxFragmentQubits, gateCuts: candidate.gateCutsAllowed)]
        }
    }

    public struct PlanKey: Sendable, Hashable {
        public var width: Int
        public var gateCuts: Bool
    }

    /// All candidate plans with their predictions, best first. Throws `noPlan` when no device can
    /// hold the circuit even cut (with each reason), `budgetUnmet` when plans exist but none keeps to
    /// the budget (naming the cheapest plan's cost).
    public func search(_ circuit: QuantumCircuit, observables: [String], shots: Int,
                       seed: UInt64 = 7) throws(DreamerError) -> Outcome {
        guard !pool.devices.isEmpty else { throw DreamerError(.invalidArgument, "no devices to plan for") }
        guard shots >= 0 else { throw DreamerError(.invalidArgument, "shots must be non-negative, got \(shots)") }
        let n = circuit.qubitCount
        let widest = pool.devices.map(\.profile.qubits).max() ?? 0
        var skipped: [String] = []
        var cutPlans: [PlanKey: CutPlan] = [:]
        var candidates: [CandidatePlan] = []
        let top = min(n, widest, maxFragmentQubits ?? widest)
        for width in stride(from: top, through: min(top, max(1, minFragmentQubits)), by: -1) {
            for gateCuts in (width == n ? [false] : [false, true]) {
                let plan: CutPlan
                do {
                    plan = try CircuitCutter.cut(circuit, observables: observables, maxFragmentQubits: width, shots: shots,
                                                 seed: seed, cutGates: gateCuts)
                } catch {
                    skipped.append("fragments of \(width) qubits\(gateCuts ? " with gate cuts" : ""): \(error.message)")
                    continue
                }
                guard plan.subexperiments.count <= maxSubexperiments else {
                    skipped.append("fragments of \(width) qubits\(gateCuts ? " with gate cuts" : ""): \(plan.subexperiments.count) sub-experiments (at most \(maxSubexperiments) are considered)")
                    continue
                }
                // Gate cuts allowed but none made: the same plan as wire cuts only.
                if gateCuts, plan.gateCuts.isEmpty { continue }
                // Widths run wide to narrow: a narrower limit that left the same fragments and cuts as a
                // wider one is the same plan again.
                if let same = cutPlans.first(where: { $0.key.gateCuts == gateCuts && $0.value.fragments.map(\.circuit.qubitCount) == plan.fragments.map(\.circuit.qubitCount) && $0.value.cuts.count == plan.cuts.count && $0.value.gateCuts.count == plan.gateCuts.count }), same.key.width != width {
                    continue
                }
                let key = PlanKey(width: width, gateCuts: gateCuts)
                let made = candidatesFor(plan, key: key, observables: observables.count, shots: shots, skipped: &skipped)
                if !made.isEmpty { cutPlans[key] = plan }
                candidates += made
            }
        }
        guard !candidates.isEmpty else {
            let devices = pool.devices.map { "\($0.name) (\($0.profile.qubits) qubits)" }.joined(separator: ", ")
            throw DreamerError(.noPlan, "no device can hold the \(n)-qubit circuit, even cut (devices: \(devices)): "
                + (skipped.isEmpty ? "no fragment width fits" : skipped.joined(separator: "; ")))
        }
        var within: [CandidatePlan] = []
        var over: [(CandidatePlan, String)] = []
        for c in candidates {
            if let why = budget.violation(c) { over.append((c, why)) } else { within.append(c) }
        }
        within.sort { ($0.predictedMakespan, $0.samplingOverhead, $0.label) < ($1.predictedMakespan, $1.samplingOverhead, $1.label) }
        guard !within.isEmpty else {
            let cheapest = candidates.min {
                ($0.samplingOverhead, $0.predictedError, $0.predictedMakespan) < ($1.samplingOverhead, $1.predictedError, $1.predictedMakespan)
            }!
            let reason = budget.violation(cheapest) ?? ""
            throw DreamerError(.budgetUnmet, "no plan meets the budget (\(budget.description)); the best plan, '\(cheapest.label)', costs sampling overhead \(CutBudget.format(cheapest.samplingOverhead)), \(cheapest.totalShots) shots, predicted error \(CutBudget.format(cheapest.predictedError)) and makespan \(String(format: "%.3f", cheapest.predictedMakespan)) s (\(reason))")
        }
        return Outcome(ranked: within, overBudget: over, cutPlans: cutPlans, skipped: skipped)
    }

    /// Per fragment and device: routed two-qubit gates and ESP, or nil when it does not fit.
    struct FragmentOnDevice {
        var routedTwoQubitGates: Int
        var fidelity: Double
    }

    func candidatesFor(_ plan: CutPlan, key: PlanKey, observables: Int, shots: Int,
                       skipped: inout [String]) -> [CandidatePlan] {
        var fits: [[String: FragmentOnDevice]] = []
        for fragment in plan.fragments {
            var row: [String: FragmentOnDevice] = [:]
            for d in pool.devices where d.profile.qubits >= fragment.circuit.qubitCount {
                guard let routed = try? router.route(fragment.circuit, on: d.profile) else { continue }
                let twoQubit = routed.twoQubitGateCost
                let esp = FidelityEstimate.estimate(routed.circuit, noise: d.profile.noise, swaps: routed.swapCount,
                                                    measuredWithoutMeasurements: fragment.circuit.qubitCount)
                row[d.name] = FragmentOnDevice(routedTwoQubitGates: twoQubit, fidelity: esp.successProbability)
            }
            fits.append(row)
        }
        // Predicted seconds of every sub-experiment on every device that holds its fragment.
        var seconds: [[String: Double]] = []
        for sub in plan.subexperiments {
            let fragment = plan.fragments[sub.fragment]
            var row: [String: Double] = [:]
            for (name, f) in fits[sub.fragment] {
                guard let device = pool.device(name) else { continue }
                var circuit = fragment.circuit
                // Preparations and local gate-cut choices add a gate or two each; count them.
                for _ in 0..<(sub.preparations.count * 2 + sub.gateChoices.count * 2) { circuit.append(.id, [0]) }
                let features = TaskFeatures.of(circuit, observables: sub.job.observables, shots: shots, on: device.profile,
                                               threads: pool.threadsPerTask, routedTwoQubitGates: f.routedTwoQubitGates)
                row[name] = model.runtime(features)
            }
            seconds.append(row)
        }
        let width = plan.fragments.map(\.circuit.qubitCount).max() ?? 0
        let usable = pool.devices.filter { d in fits.allSatisfy { $0[d.name] != nil } }.map(\.name)
        guard !usable.isEmpty else {
            // Spread plans may still mix devices per fragment, if every fragment fits somewhere.
            if fits.contains(where: \.isEmpty) {
                skipped.append("fragments of \(key.width) qubits: a \(width)-qubit fragment fits no device")
                return []
            }
            return [spread(plan, key: key, seconds: seconds, fits: fits, observables: observables, shots: shots)].compactMap { $0 }
        }
        var out: [CandidatePlan] = []
        for name in usable {
            let assignment = seconds.map { CandidatePlan.Assignment(device: name, seconds: $0[name]!) }
            out.append(candidate(plan, key: key, assignment: assignment, placement: "single", fits: fits,
                                 observables: observables, shots: shots))
        }
        // A spread that ends up on one device is that device's single plan again.
        if usable.count > 1 || fits.contains(where: { $0.count > 1 }),
           let s = spread(plan, key: key, seconds: seconds, fits: fits, observables: observables, shots: shots),
           Set(s.assignment.map(\.device)).count > 1 {
            out.append(s)
        }
        return out
    }

    /// Each sub-experiment (longest first) to the device where it would end first, given the slots
    /// already taken: list scheduling over the devices that hold its fragment.
    func spread(_ plan: CutPlan, key: PlanKey, seconds: [[String: Double]], fits: [[String: FragmentOnDevice]],
                observables: Int, shots: Int) -> CandidatePlan? {
        var free: [String: [Double]] = [:]
        for d in pool.devices { free[d.name] = d.busySeconds.isEmpty ? [0] : d.busySeconds }
        var assignment = [CandidatePlan.Assignment?](repeating: nil, count: seconds.count)
        let order = seconds.indices.sorted { (seconds[$0].values.min() ?? 0) > (seconds[$1].values.min() ?? 0) }
        for i in order {
            var best: (name: String, slot: Int, end: Double)?
            for (name, t) in seconds[i].sorted(by: { $0.key < $1.key }) {
                guard let slots = free[name] else { continue }
                let s = slots.indices.min { slots[$0] < slots[$1] }!
                let end = slots[s] + model.dispatchSeconds + t + model.releaseSeconds
                if best == nil || end < best!.end { best = (name, s, end) }
            }
            guard let b = best else { return nil }
            free[b.name]![b.slot] = b.end
            assignment[i] = CandidatePlan.Assignment(device: b.name, seconds: seconds[i][b.name]!)
        }
        return candidate(plan, key: key, assignment: assignment.compactMap { $0 }, placement: "spread", fits: fits,
                         observables: observables, shots: shots)
    }

    func candidate(_ plan: CutPlan, key: PlanKey, assignment: [CandidatePlan.Assignment], placement: String,
                   fits: [[String: FragmentOnDevice]], observables: Int, shots: Int) -> CandidatePlan {
        let recon = plan.fragments.count > 1 || !plan.cuts.isEmpty || !plan.gateCuts.isEmpty
            ? model.reconstruction(terms: plan.reconstructionTerms, observables: observables) : 0
        let prediction = MakespanSimulator.predict(assignment.map { MakespanSimulator.Task(device: $0.device, seconds: $0.seconds) },
                                                   on: pool, dispatchSeconds: model.dispatchSeconds,
                                                   releaseSeconds: model.releaseSeconds, reconstructionSeconds: recon)
        // The device running most of each fragment's sub-experiments stands for the fragment.
        var perFragment = [[String: Int]](repeating: [:], count: plan.fragments.count)
        for (sub, a) in zip(plan.subexperiments, assignment) { perFragment[sub.fragment][a.device, default: 0] += 1 }
        let fragmentDevices = perFragment.map { $0.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key ?? "" }
        var fidelity = 1.0
        for (f, row) in perFragment.enumerated() {
            for name in row.keys { fidelity = min(fidelity, fits[f][name]?.fidelity ?? 0) }
        }
        let overhead = plan.samplingOverhead
        let statistical = shots > 0 ? (overhead / Double(shots)).squareRoot() : 0
        let devices = Array(Set(assignment.map(\.device))).sorted()
        var cutsText = plan.cuts.isEmpty && plan.gateCuts.isEmpty ? "uncut" : ""
        if !plan.cuts.isEmpty { cutsText += "\(plan.cuts.count) wire" }
        if !plan.gateCuts.isEmpty { cutsText += (cutsText.isEmpty ? "" : "+") + "\(plan.gateCuts.count) gate" }
        let label = "w\(key.width) \(cutsText) → " + (placement == "single" ? devices.joined() : "spread(\(devices.joined(separator: ",")))")
        return CandidatePlan(label: label, maxFragmentQubits: key.width, gateCutsAllowed: key.gateCuts, wireCuts: plan.cuts.count,
                             gateCuts: plan.gateCuts.count, fragmentQubits: plan.fragments.map(\.circuit.qubitCount),
                             fragmentDevices: fragmentDevices, placement: placement, subexperiments: plan.subexperiments.count,
                             totalShots: shots * plan.subexperiments.count, samplingOverhead: overhead,
                             predictedMakespan: prediction.makespan, predictedTaskSeconds: assignment.reduce(0) { $0 + $1.seconds },
                             predictedReconstruction: recon, fidelity: fidelity, predictedError: statistical + (1 - fidelity),
                             assignment: assignment)
    }
}
