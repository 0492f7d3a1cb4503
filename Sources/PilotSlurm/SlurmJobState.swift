import Foundation

/// Job state as Slurm reports it, with the COMPLETING flag folded in the way
/// `squeue` does: a job whose epilog still runs is `completing`, not yet final.
public enum SlurmJobState: String, Sendable, Codable, CaseIterable {
    case pending = "PENDING"
    case running = "RUNNING"
    case suspended = "SUSPENDED"
    case completing = "COMPLETING"
    case completed = "COMPLETED"
    case cancelled = "CANCELLED"
    case failed = "FAILED"
    case timeout = "TIMEOUT"
    case nodeFail = "NODE_FAIL"
    case preempted = "PREEMPTED"
    case bootFail = "BOOT_FAIL"
    case deadline = "DEADLINE"
    case outOfMemory = "OUT_OF_MEMORY"
    case unknown = "UNKNOWN"

    /// The job holds no resources and will not change state again.
    public var isFinal: Bool {
        switch self {
        case .pending, .running, .suspended, .completing, .unknown: false
        case .completed, .cancelled, .failed, .timeout, .nodeFail, .preempted, .bootFail, .deadline,
             .outOfMemory: true
        }
    }

    /// Parses Slurm's long or compact (`squeue %t`) spelling; anything else is `.unknown`
    /// so a newer Slurm with new states degrades instead of failing.
    public init(slurmName: String) {
        let name = slurmName.trimmingCharacters(in: .whitespaces).uppercased()
        if let state = SlurmJobState(rawValue: name) {
            self = state
            return
        }
        switch name {
        case "PD": self = .pending
        case "R": self = .running
        case "S": self = .suspended
        case "CG": self = .completing
        case "CD": self = .completed
        case "CA": self = .cancelled
        case "F": self = .failed
        case "TO": self = .timeout
        case "NF": self = .nodeFail
        case "PR": self = .preempted
        case "BF": self = .bootFail
        case "DL": self = .deadline
        case "OOM": self = .outOfMemory
        default:
            // "CANCELLED by 0" is how sacct spells it.
            self = name.hasPrefix("CANCELLED") ? .cancelled : .unknown
        }
    }
}
