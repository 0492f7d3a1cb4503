import PilotCore
import PilotQuantum
import PilotWorkflow

/// The built-in `vqe` driver of an iterative stage. Each round submits one quantum task per
/// optimiser point (the current parameters first), each estimating every term of the Ising
/// Hamiltonian; the next call steps the optimiser with their `QuantumResult`s. It stops when the
/// energy has converged, and stops early (keeping what it has) when a task fails or returns
/// something unreadable, with the reason in the summary.
public struct VQEDriver: IterativeDriver {
    public private(set) var state: VQEState
    public let stage: String
    private var loop: RoundLoop
    public var failure: String? { loop.failure }

    /// `deviceSlots`: slots per QPU device, which sets how many tasks a round is split into when
    /// the stage does not say (`tasks_per_round`).
    public init(plan: IterativeStagePlan, context: WorkflowContext, pilotExecutable: String = "pilot",
                deviceSlots: [String: Int] = [:]) throws(WorkflowError) {
        stage = plan.stage
        do throws(MiniAppError) {
            var configuration = try VQEConfiguration(params: plan.params, defaultSeed: context.seed)
            configuration.maxRounds = min(configuration.maxRounds, Self.roundCap(plan))
            state = try VQEState(configuration)
            let perRound = configuration.tasksPerRound ?? deviceSlots[configuration.device] ?? 1
            loop = RoundLoop(factory: QuantumTaskFactory(device: configuration.device, template: plan.taskTemplate,
                                                         pilotExecutable: pilotExecutable),
                             tasksPerRound: configuration.batched ? perRound : nil)
        } catch {
            throw WorkflowError(.driverFailed, error.message, field: "stages.\(plan.stage).\(error.field ?? "params")")
        }
    }

    /// The engine stops a stage after `max_rounds` rounds without handing the last round's results
    /// to the driver, so a driver that ran that long would lose them from its summary; stopping one
    /// round earlier by itself keeps every round it paid for.
    static func roundCap(_ plan: IterativeStagePlan) -> Int { max(1, plan.maxRounds - 1) }

    public mutating func nextRound(previousResults: [TaskOutcomeSummary]) -> [TaskSpec]? {
        let stage = self.stage
        return loop.next(&state, previousResults: previousResults) { round, k in "\(stage).r\(round)[\(k)]" }
    }

    public var summary: String { state.summary(error: loop.failure) }
}

/// Puts a round's outcomes back in submission order (they arrive in completion order) and
/// decodes their results; any failed task fails the round.
enum RoundResults {
    static func ordered(_ outcomes: [TaskOutcomeSummary], expected: Int) throws(MiniAppError) -> [QuantumResult] {
        var results: [QuantumResult] = []
        for o in try succeeded(outcomes, expected: expected) { results.append(try QuantumTaskFactory.result(from: o.resultJSON)) }
        return results
    }

    /// A batched round: task k returned the PUB result of `slices[k]`.
    static func batched(_ outcomes: [TaskOutcomeSummary], _ batch: RoundBatch,
                        slices: [Range<Int>]) throws(MiniAppError) -> [QuantumResult] {
        var results: [QuantumResult] = []
        results.reserveCapacity(batch.bindings.count)
        for (o, slice) in zip(try succeeded(outcomes, expected: slices.count), slices) {
            results.append(contentsOf: try batch.results(of: try QuantumTaskFactory.pubResult(from: o.resultJSON), slice))
        }
        return results
    }

    private static func succeeded(_ outcomes: [TaskOutcomeSummary], expected: Int) throws(MiniAppError) -> [TaskOutcomeSummary] {
        guard outcomes.count == expected else {
            throw MiniAppError(.badResult, "expected \(expected) results in the round, got \(outcomes.count)")
        }
        let sorted = outcomes.sorted { $0.localIndex < $1.localIndex }
        // A failed task's reason says more than the missing result it leaves behind, so look first.
        if let o = sorted.first(where: { !$0.succeeded }) {
            throw MiniAppError(.taskFailed, "task \(o.name ?? String(o.localIndex)) failed" + (o.reason.map { ": \($0)" } ?? ""))
        }
        return sorted
    }
}
