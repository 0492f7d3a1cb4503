import Dispatch
import PilotQuantum

/// `pilot miniapp vqe`: the VQE loop in this process, each round's jobs run by a `LocalQuantumRunner`.
public enum VQEMiniApp {
    public static func run(_ configuration: VQEConfiguration, runner: LocalQuantumRunner,
                           onRound: (VQERound) -> Void = { _ in }) async throws(MiniAppError) -> VQEReport {
        var state = try VQEState(configuration)
        while !state.isDone {
            let started = DispatchTime.now().uptimeNanoseconds
            let results = try await runner.run(state.pendingJobs())
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
            onRound(try state.record(results, seconds: seconds))
        }
        return state.report
    }
}
