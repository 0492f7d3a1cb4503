import PilotCore
import PilotQuantum
import PilotWorkflow

/// What the VQE and QML loops share as seen by a workflow driver: rounds of quantum jobs whose
/// results step a classical optimiser.
protocol RoundLoopState {
    var isDone: Bool { get }
    var completedRounds: Int { get }
    func pendingJobs() -> [QuantumJob]
    /// The round as one parameterized circuit, when its jobs share one; nil: one task per job.
    func pendingBatch() -> RoundBatch?
    mutating func recordRound(_ results: [QuantumResult]) throws(MiniAppError)
    func summary(error: String?) -> String
}

extension VQEState: RoundLoopState {
    var completedRounds: Int { rounds.count }
    mutating func recordRound(_ results: [QuantumResult]) throws(MiniAppError) { _ = try record(results) }
    func summary(error: String?) -> String { var r = report; r.error = error; return r.json() }
}

extension QMLState: RoundLoopState {
    func pendingBatch() -> RoundBatch? { nil }
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
    /// Tasks per batched round (normally the device's slot count); nil: one task per job.
    let tasksPerRound: Int?
    private var inFlight = 0
    /// The round in flight when it went out batched, with each task's slice of its jobs.
    private var batch: (round: RoundBatch, slices: [Range<Int>])?
    private(set) var failure: String?

    init(factory: QuantumTaskFactory, tasksPerRound: Int? = nil) {
        self.factory = factory
        self.tasksPerRound = tasksPerRound
    }

    mutating func next<S: RoundLoopState>(_ state: inout S, previousResults: [TaskOutcomeSummary],
                                          name: (_ round: Int, _ index: Int) -> String) -> [TaskSpec]? {
        guard failure == nil else { return nil }
        do throws(MiniAppError) {
            if inFlight > 0 {
                if let batch {
                    try state.recordRound(try RoundResults.batched(previousResults, batch.round, slices: batch.slices))
                } else {
                    try state.recordRound(try RoundResults.ordered(previousResults, expected: inFlight))
                }
                inFlight = 0
                batch = nil
            }
            if state.isDone { return nil }
            let round = state.completedRounds
            var tasks: [TaskSpec] = []
            if let perRound = tasksPerRound, !factory.isCPU, let b = state.pendingBatch() {
                let slices = b.slices(tasks: perRound)
                for (k, slice) in slices.enumerated() {
                    tasks.append(try factory.task(for: b, slice, seed: b.seed &+ UInt64(k), name: name(round, k)))
                }
                batch = (b, slices)
            } else {
                for (k, job) in state.pendingJobs().enumerated() { tasks.append(try factory.task(for: job, name: name(round, k))) }
            }
            inFlight = tasks.count
            return tasks
        } catch {
            failure = error.description
            return nil
        }
    }
}
