/// The task life cycle. Retries go back to `ready`; the three terminal states are final.
public enum TaskState: String, Sendable, Codable, CaseIterable, Comparable {
    case new, ready, bound, running, done, failed, canceled

    public var isTerminal: Bool { self == .done || self == .failed || self == .canceled }

    /// Whether the manager may move a task from `self` to `next`.
    /// `bound → ready` covers a binding the agent never started (agent lost or restarted);
    /// `running → ready` is a retry after a crash or a lost agent.
    public func canMove(to next: TaskState) -> Bool {
        switch (self, next) {
        case (.new, .ready), (.new, .canceled), (.new, .failed): return true
        case (.ready, .bound), (.ready, .canceled), (.ready, .failed): return true
        case (.bound, .running), (.bound, .ready), (.bound, .canceled), (.bound, .failed), (.bound, .done): return true
        case (.running, .done), (.running, .failed), (.running, .canceled), (.running, .ready): return true
        default: return false
        }
    }

    private var order: Int { TaskState.allCases.firstIndex(of: self)! }
    public static func < (a: TaskState, b: TaskState) -> Bool { a.order < b.order }
}
