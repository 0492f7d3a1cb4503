import PilotWorkflow

/// The built-in iterative drivers, for `WorkflowEngine(drivers:)`: `vqe` and `qml`; any other
/// stage (`driver: command`, unknown names) goes to the engine's default factory.
public enum MiniAppDrivers {
    public static let builtinNames = ["vqe", "qml"]

    /// `pilotExecutable` is only used by `device: cpu` stages, whose tasks run `pilot kernel quantum`.
    public static func factory(pilotExecutable: String = "pilot") -> IterativeDriverFactory {
        { plan, context throws(WorkflowError) in
            switch plan.driver {
            case .builtin("vqe"): return try VQEDriver(plan: plan, context: context, pilotExecutable: pilotExecutable)
            case .builtin("qml"): return try QMLDriver(plan: plan, context: context, pilotExecutable: pilotExecutable)
            default: return try WorkflowEngine.commandDriversOnly(plan, context)
            }
        }
    }

    public static let standard: IterativeDriverFactory = factory()
}
