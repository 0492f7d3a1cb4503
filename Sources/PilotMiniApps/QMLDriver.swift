import PilotCore
import PilotQuantum
import PilotWorkflow

/// The built-in `qml` driver: one round per epoch, one quantum task per (optimiser point,
/// training sample) plus one per test sample; the summary is the `QMLReport`.
public struct QMLDriver: IterativeDriver {
    public private(set) var state: QMLState
    public let stage: String
    private var loop: RoundLoop
    public var failure: String? { loop.failure }

    public init(plan: IterativeStagePlan, context: WorkflowContext, pilotExecutable: String = "pilot") throws(WorkflowError) {
        stage = plan.stage
        do throws(MiniAppError) {
            var configuration = try QMLConfiguration(params: plan.params, defaultSeed: context.seed)
            configuration.epochs = min(configuration.epochs, VQEDriver.roundCap(plan))   // see VQEDriver.roundCap
            state = try QMLState(configuration)
            loop = RoundLoop(factory: QuantumTaskFactory(device: configuration.device, template: plan.taskTemplate,
                                                         pilotExecutable: pilotExecutable))
        } catch {
            throw WorkflowError(.driverFailed, error.message, field: "stages.\(plan.stage).\(error.field ?? "params")")
        }
    }

    public mutating func nextRound(previousResults: [TaskOutcomeSummary]) -> [TaskSpec]? {
        let stage = self.stage
        return loop.next(&state, previousResults: previousResults) { round, k in "\(stage).e\(round)[\(k)]" }
    }

    public var summary: String { state.summary(error: loop.failure) }
}
