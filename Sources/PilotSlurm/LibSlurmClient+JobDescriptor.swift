import CSlurm
import Foundation

extension LibSlurmClient {
    /// Copies a request into a `job_desc_msg_t` already reset by
    /// `slurm_init_job_desc_msg`; unset optionals keep Slurm's NO_VAL defaults.
    func fill(_ desc: inout job_desc_msg_t, from job: BatchJobRequest, arena: CStringArena) {
        desc.script = arena.string(job.script)
        desc.name = arena.string(job.name)
        desc.partition = arena.string(job.partition)
        desc.account = arena.string(job.account)
        desc.qos = arena.string(job.qos)
        desc.features = arena.string(job.constraint)
        desc.work_dir = arena.string(job.workingDirectory)
        desc.std_out = arena.string(job.standardOutput)
        desc.std_err = arena.string(job.standardError)
        desc.reservation = arena.string(job.reservation)
        desc.dependency = arena.string(job.dependency)
        desc.comment = arena.string(job.comment)

        desc.min_nodes = UInt32(job.nodes)
        desc.max_nodes = UInt32(job.nodes)
        if let perNode = job.ntasksPerNode {
            desc.ntasks_per_node = UInt16(clamping: perNode)
            desc.num_tasks = UInt32(clamping: perNode * job.nodes)
        }
        if let cpus = job.cpusPerTask { desc.cpus_per_task = UInt16(clamping: cpus) }
        if let gpus = job.gpusPerNode, gpus > 0 { desc.tres_per_node = arena.string("gres:gpu:\(gpus)") }
        if let minutes = job.timeLimitMinutes { desc.time_limit = minutes }
        if let mem = job.memoryPerNodeMiB { desc.pn_min_memory = mem }
        if job.exclusive { desc.shared = UInt16(JOB_SHARED_NONE) }
        if let requeue = job.requeue { desc.requeue = requeue ? 1 : 0 }
        if let warn = job.signalBeforeEnd {
            desc.warn_signal = UInt16(warn.signal)
            desc.warn_time = warn.seconds
            desc.warn_flags = warn.target == .batchShell ? CSLURM_KILL_JOB_BATCH : 0
        }

        // An empty environment makes slurmctld fail the submit with errno 2019
        // ("I/O error writing script/environment to file").
        var environment = job.environment
        if environment.isEmpty { environment["PATH"] = "/usr/local/bin:/usr/bin:/bin" }
        // srun inside the script must reach the same cluster this client used,
        // even when that was chosen by an explicit path rather than SLURM_CONF.
        if environment["SLURM_CONF"] == nil { environment["SLURM_CONF"] = configPath }
        let entries = environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        desc.environment = arena.stringArray(entries)
        desc.env_size = UInt32(entries.count)

        desc.user_id = getuid()
        desc.group_id = getgid()
    }
}
