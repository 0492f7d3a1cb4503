import Dispatch
import PilotQuantum

/// `pilot miniapp qml`: trains the classifier in this process.
public enum QMLMiniApp {
    public static func run(_ configuration: QMLConfiguration, runner: LocalQuantumRunner,
                           onEpoch: (QMLEpoch) -> Void = { _ in }) async throws(MiniAppError) -> QMLReport {
        var state = try QMLState(configuration)
        while !state.isDone {
            let started = DispatchTime.now().uptimeNanoseconds
            let results = try await runner.run(state.pendingJobs())
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
            onEpoch(try state.record(results, seconds: seconds))
        }
        return state.report
    }
}
