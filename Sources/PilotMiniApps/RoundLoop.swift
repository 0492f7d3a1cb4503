import PilotCore
import PilotQuantum
import PilotWorkflow

/// What the VQE and QML loops share as seen by a workflow driver: rounds of quantum jobs whose
/// results step a classical optimiser.
protocol RoundLoopState {
    var isDone: Bool { get }
    var completedRounds: Int { get }
    func pendingJobs() -> [QuantumJob]
    mutating func recordRound(_ results: [QuantumResult]) throws(MiniAppError)
    func summary(error: String?) -> String
}

extension VQEState: RoundLoopState {
    var completedRounds: Int { rounds.count }
    mutating func recordRound(_ results: [QuantumResult]) throws(MiniAppError) { _ = try record(results) }
    func summary(error: String?) -> String { var r = report; r.error = error; return r.json() }
}

extension QMLState: RoundLoopState {
    var completedRounds: Int { epochs.count }
    mutating func recordRound(_ results: [QuantumResult]) throws(MiniAppError) { _ = try record(results) }
    func summary(error: String?) -> String { var r = report; r.error = error; return r.json() }
}

/// The driver side of a round loop: feeds a round's outcomes back in submission order, then turns
/// the next round's jobs into tasks; the first failure stops the loop and is kept for the summary.
///
/// Why the optimiser state is never serialized: after a manager restart the engine replays every
/// stored round's task results through a fresh driver (`WorkflowEngine.recover`). Everything a
/// loop holds is a deterministic function of its configuration (seeded initial parameters, SPSA
/// perturbations and shot seeds derived from the round number) and of those results, which
/// `RoundResults.ordered` puts in submission order whatever order they completed in. So the
/// replay rebuilds the optimiser bit for bit, and a round in flight at the crash needs nothing
/// special: its tasks are adopted and its missing results are fed when they arrive. A snapshot
/// would be a second copy of the same facts, written in a different transaction from the task
/// rows, that a crash between the two could make disagree with them.
struct RoundLoop {
    let factory: QuantumTaskFactory
    private var inFlight = 0
    private(set) var failure: String?

    init(factory: QuantumTaskFactory) { self.factory = factory }

    mutating func next<S: RoundLoopState>(_ state: inout S, previousResults: [TaskOutcomeSummary],
                                          name: (_ round: Int, _ index: Int) -> String) -> [TaskSpec]? {
        guard failure == nil else { return nil }
        do throws(MiniAppError) {
            if inFlight > 0 {
                try state.recordRound(try RoundResults.ordered(previousResults, expected: inFlight))
                inFlight = 0
            }
            if state.isDone { return nil }
            let round = state.completedRounds
            var tasks: [TaskSpec] = []
            for (k, job) in state.pendingJobs().enumerated() { tasks.append(try factory.task(for: job, name: name(round, k))) }
            inFlight = tasks.count
            return tasks
        } catch {
            failure = error.description
            return nil
        }
    }
}
