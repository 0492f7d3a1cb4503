import PilotWorkflow

/// The built-in iterative drivers, for `WorkflowEngine(drivers:)`: `vqe` and `qml`; any other
/// stage (`driver: command`, unknown names) goes to the engine's default factory.
public enum MiniAppDrivers {
    public static let builtinNames = ["vqe", "qml"]

    /// `pilotExecutable` is only used by `device: cpu` stages, whose tasks run `pilot kernel quantum`;
    /// `deviceSlots` (slots per QPU device) sets how many tasks a batched round is split into.
    public static func factory(pilotExecutable: String = "pilot", deviceSlots: [String: Int] = [:]) -> IterativeDriverFactory {
        { plan, context throws(WorkflowError) in
            switch plan.driver {
            case .builtin("vqe"):
                return try VQEDriver(plan: plan, context: context, pilotExecutable: pilotExecutable, deviceSlots: deviceSlots)
            case .builtin("qml"): return try QMLDriver(plan: plan, context: context, pilotExecutable: pilotExecutable)
            default: return try WorkflowEngine.commandDriversOnly(plan, context)
            }
        }
    }

    public static let standard: IterativeDriverFactory = factory()
}
