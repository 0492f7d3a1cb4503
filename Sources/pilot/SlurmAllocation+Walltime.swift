import Foundation
import PilotSlurm

extension SlurmAllocation {
    /// When this allocation ends (Unix seconds). Slurm ≥ 23.02 exports it and the job script passes
    /// it on as `PILOT_WALLTIME_END`; 22.05 does not, and asking `squeue` in the job script cost
    /// every pilot's start-up a process and an RPC before srun. The agent asks the controller
    /// itself, through libslurm, while hwloc discovers the node (see `AgentCommand`).
    ///
    /// Without an answer (no readable slurm.conf, controller unreachable) the end is estimated as
    /// now + the requested limit: at most the start-up time late, which the drain margin absorbs.
    static func walltimeEnd(environment env: [String: String]) -> Double? {
        if let e = env["PILOT_WALLTIME_END"].flatMap(Double.init) { return e }
        if let id = env["SLURM_JOB_ID"].flatMap(UInt32.init),
           let end = try? LibSlurmClient().job(SlurmJobID(id))?.endTime {
            return end.timeIntervalSince1970
        }
        return env["PILOT_WALLTIME_SECONDS"].flatMap(Double.init).map { Date().timeIntervalSince1970 + $0 }
    }
}
