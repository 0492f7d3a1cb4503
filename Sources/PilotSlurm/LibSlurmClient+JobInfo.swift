import CSlurm
import Foundation

extension LibSlurmClient {
    static func infos(from message: UnsafeMutablePointer<job_info_msg_t>) -> [SlurmJobInfo] {
        let count = Int(message.pointee.record_count)
        guard count > 0, let records = message.pointee.job_array else { return [] }
        return (0..<count).map { info(from: records[$0]) }
    }

    static func info(from record: slurm_job_info_t) -> SlurmJobInfo {
        let nodeList = record.nodes.map { String(cString: $0) } ?? ""
        // A hostlist that Slurm itself produced cannot fail to parse; if it
        // somehow did, the raw text is still more useful than nothing.
        let nodes = (try? expandHostlist(nodeList)) ?? (nodeList.isEmpty ? [] : [nodeList])
        var reason = slurm_job_reason_string(job_state_reason(UInt32(record.state_reason)))
            .map { String(cString: $0) } ?? "None"
        if let desc = record.state_desc.map({ String(cString: $0) }), !desc.isEmpty {
            reason += ": \(desc)"
        }
        let isFinished = state(from: record.job_state).isFinal
        return SlurmJobInfo(
            id: SlurmJobID(record.job_id),
            name: record.name.map { String(cString: $0) } ?? "",
            state: state(from: record.job_state),
            stateReason: reason,
            nodes: nodes,
            // While pending this is the requested count; afterwards the allocated one.
            nodeCount: Int(record.num_nodes),
            submitTime: date(record.submit_time),
            startTime: date(record.start_time),
            endTime: date(record.end_time),
            timeLimitMinutes: (record.time_limit == CSLURM_INFINITE || record.time_limit == CSLURM_NO_VAL)
                ? nil : record.time_limit,
            exitCode: isFinished ? SlurmExitCode(waitStatus: record.exit_code) : nil)
    }

    static func state(from raw: UInt32) -> SlurmJobState {
        // squeue shows CG as soon as the flag is set, whatever the base state.
        if raw & CSLURM_JOB_COMPLETING != 0 { return .completing }
        switch raw & CSLURM_JOB_STATE_BASE {
        case JOB_PENDING.rawValue: return .pending
        case JOB_RUNNING.rawValue: return .running
        case JOB_SUSPENDED.rawValue: return .suspended
        case JOB_COMPLETE.rawValue: return .completed
        case JOB_CANCELLED.rawValue: return .cancelled
        case JOB_FAILED.rawValue: return .failed
        case JOB_TIMEOUT.rawValue: return .timeout
        case JOB_NODE_FAIL.rawValue: return .nodeFail
        case JOB_PREEMPTED.rawValue: return .preempted
        case JOB_BOOT_FAIL.rawValue: return .bootFail
        case JOB_DEADLINE.rawValue: return .deadline
        case JOB_OOM.rawValue: return .outOfMemory
        default: return .unknown
        }
    }

    private static func date(_ t: time_t) -> Date? {
        t > 0 ? Date(timeIntervalSince1970: TimeInterval(t)) : nil
    }
}
