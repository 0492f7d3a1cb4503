import PilotCore
import PilotQuantum
import PilotWorkflow

/// The built-in `qml` driver: one round per epoch, one quantum task per (optimiser point,
/// training sample) plus one per test sample; the summary is the `QMLReport`.
public struct QMLDriver: IterativeDriver {
    public private(set) var state: QMLState
    public let stage: String
    private let factory: QuantumTaskFactory
    private var inFlight = 0
    public private(set) var failure: String?

    public init(plan: IterativeStagePlan, context: WorkflowContext, pilotExecutable: String = "pilot") throws(WorkflowError) {
        stage = plan.stage
        do throws(MiniAppError) {
            var configuration = try QMLConfiguration(params: plan.params, defaultSeed: context.seed)
            configuration.epochs = min(configuration.epochs, VQEDriver.roundCap(plan))   // see VQEDriver.roundCap
            state = try QMLState(configuration)
            factory = QuantumTaskFactory(device: configuration.device, template: plan.taskTemplate,
                                         pilotExecutable: pilotExecutable)
        } catch {
            throw WorkflowError(.driverFailed, error.message, field: "stages.\(plan.stage).\(error.field ?? "params")")
        }
    }

    public mutating func nextRound(previousResults: [TaskOutcomeSummary]) -> [TaskSpec]? {
        guard failure == nil else { return nil }
        if inFlight > 0 {
            do throws(MiniAppError) {
                try state.record(try RoundResults.ordered(previousResults, expected: inFlight))
            } catch {
                failure = error.description
                return nil
            }
            inFlight = 0
        }
        if state.isDone { return nil }
        let epoch = state.epochs.count
        do throws(MiniAppError) {
            var tasks: [TaskSpec] = []
            for (k, job) in state.pendingJobs().enumerated() {
                tasks.append(try factory.task(for: job, name: "\(stage).e\(epoch)[\(k)]"))
            }
            inFlight = tasks.count
            return tasks
        } catch {
            failure = error.description
            return nil
        }
    }

    public var summary: String {
        var report = state.report
        report.error = failure
        return report.json()
    }
}
