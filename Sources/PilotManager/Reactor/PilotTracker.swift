import Foundation
import PilotProtocol
import PilotSlurm

/// Folds what Slurm reports about a pilot's job into the pilot's state. Pure, so every lifecycle
/// can be tested without a controller.
enum PilotTracker {
    /// `info == nil`: the controller no longer knows the job (it ended longer than `MinJobAge` ago,
    /// or the manager was away); the pilot is over, but how it ended is unknown.
    static func advance(_ old: PilotRecord, with info: SlurmJobInfo?, now: Double) -> PilotRecord {
        var p = old
        guard let info else {
            guard !p.state.isFinal else { return p }
            p.state = p.state == .running ? .completed : .failed
            p.reason = "Slurm no longer knows job \(p.jobID.map { "\($0)" } ?? "?") (ended while it was not watched)"
            p.endedAt = p.endedAt ?? now
            p.ended = true
            return p
        }
        if !info.nodes.isEmpty { p.nodes = info.nodes }
        if info.nodeCount > 0 { p.nodeCount = info.nodeCount }
        p.startedAt = info.startTime.map(\.timeIntervalSince1970) ?? p.startedAt
        let reason = meaningful(info.stateReason)
        switch info.state {
        case .pending:
            p.state = .pending
            p.reason = reason
        case .running, .suspended:
            p.state = .running
            p.reason = info.state == .suspended ? "suspended by Slurm" : nil
            p.walltimeEnd = info.endTime.map(\.timeIntervalSince1970) ?? p.walltimeEnd
        case .completing:
            // The job is over and its epilog runs; the final state follows on a later poll.
            if p.state != .running { p.state = .running }
            p.ended = true
            p.endedAt = p.endedAt ?? info.endTime.map(\.timeIntervalSince1970) ?? now
        case .unknown:
            break
        default:
            p.state = finalState(info.state)
            p.ended = true
            p.endedAt = info.endTime.map(\.timeIntervalSince1970) ?? p.endedAt ?? now
            p.reason = finalReason(info, slurmReason: reason, startedBefore: old.state == .running || info.startTime != nil)
        }
        return p
    }

    static func finalState(_ s: SlurmJobState) -> PilotState {
        switch s {
        case .completed: .completed
        case .cancelled: .cancelled
        case .timeout, .deadline: .timeout
        default: .failed
        }
    }

    /// Slurm says "None" when it has nothing to say.
    static func meaningful(_ reason: String) -> String? {
        let r = reason.trimmingCharacters(in: .whitespaces)
        return r.isEmpty || r == "None" ? nil : r
    }

    static func finalReason(_ info: SlurmJobInfo, slurmReason: String?, startedBefore: Bool) -> String? {
        switch info.state {
        case .completed, .cancelled: return slurmReason
        case .timeout: return "walltime reached"
        default:
            var parts = [info.state.rawValue]
            if let r = slurmReason { parts.append(r) }
            if let e = info.exitCode { parts.append("exit \(e)") }
            if !startedBefore { parts.append("the job never started") }
            return parts.joined(separator: ", ")
        }
    }
}
