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
        desc.licenses = arena.string(job.licenses)
        desc.mail_user = arena.string(job.mailUser)
        desc.wckey = arena.string(job.wckey)
        desc.exc_nodes = arena.string(job.excludeNodes)
        desc.req_nodes = arena.string(job.requiredNodes)
        if let mailType = job.mailType, let bits = SbatchOptionCatalog.mailType(mailType) { desc.mail_type = bits }
        if let nice = job.nice { desc.nice = UInt32(bitPattern: Int32(bitPattern: CSLURM_NICE_OFFSET) &+ nice) }
        if job.hold { desc.priority = 0 }

        desc.min_nodes = UInt32(job.nodes)
        desc.max_nodes = UInt32(job.nodes)
        if let perNode = job.ntasksPerNode {
            desc.ntasks_per_node = UInt16(clamping: perNode)
            desc.num_tasks = UInt32(clamping: perNode * job.nodes)
        }
        if let cpus = job.cpusPerTask { desc.cpus_per_task = UInt16(clamping: cpus) }
        desc.tres_per_node = arena.string(Self.tresPerNode(job))
        desc.tres_per_job = arena.string(job.gpusPerJob.map { "gres:gpu:\($0)" })
        if let minutes = job.timeLimitMinutes { desc.time_limit = minutes }
        if let mem = job.memoryPerNodeMiB { desc.pn_min_memory = mem }
        if let mem = job.memoryPerCPUMiB { desc.pn_min_memory = mem | CSLURM_MEM_PER_CPU }
        switch job.exclusive {
        case .node: desc.shared = UInt16(JOB_SHARED_NONE)
        case .user: desc.shared = UInt16(JOB_SHARED_USER)
        case .mcs: desc.shared = UInt16(JOB_SHARED_MCS)
        case nil: break
        }
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
        // Configless, there is no path to pass: slurmd gives jobs its cached copy.
        if environment["SLURM_CONF"] == nil, let path = configSource.pathForJobs { environment["SLURM_CONF"] = path }
        let entries = environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        desc.environment = arena.stringArray(entries)
        desc.env_size = UInt32(entries.count)

        desc.user_id = getuid()
        desc.group_id = getgid()
    }

    /// sbatch's form: every GRES with a `gres:` prefix, comma-separated (`gres:gpu:2,gres:qpu:1`).
    static func tresPerNode(_ job: BatchJobRequest) -> String? {
        var entries: [String] = []
        if let gpus = job.gpusPerNode, gpus > 0 { entries.append("gres:gpu:\(gpus)") }
        entries += job.gres.map { $0.hasPrefix("gres:") || $0.hasPrefix("gres/") ? $0 : "gres:\($0)" }
        return entries.isEmpty ? nil : entries.joined(separator: ",")
    }
}
