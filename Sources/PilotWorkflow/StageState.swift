/// Where a stage is in a run. A stage failed by a dependency keeps the name of the stage whose
/// failure reached it, so a retry can undo exactly what that failure caused.
public enum StageState: Sendable, Hashable, Codable {
    case pending
    case running
    case done
    case failed(reason: String, dependency: String?)

    public var isFinished: Bool {
        switch self {
        case .done, .failed: return true
        case .pending, .running: return false
        }
    }

    public var isFailed: Bool { if case .failed = self { true } else { false } }
}
