/// The agent runs inside a Slurm step, and a gang task's `srun` inherits that step's environment.
/// srun reads these variables as defaults for its own options, so the agent step's shape (one task
/// per node, every CPU, every GPU, all memory) would leak into the gang's step request.
/// The job-level variables (`SLURM_JOB_ID`, `SLURM_JOB_NODELIST`) stay: they make the new step
/// part of the pilot's allocation.
enum GangEnvironment {
    static let stepVariables = [
        "SLURM_STEP_ID", "SLURM_STEPID", "SLURM_NTASKS", "SLURM_NPROCS", "SLURM_NTASKS_PER_NODE", "SLURM_TASKS_PER_NODE",
        "SLURM_CPUS_PER_TASK", "SLURM_GPUS_PER_NODE", "SLURM_GPUS_PER_TASK", "SLURM_MEM_PER_NODE", "SLURM_MEM_PER_CPU",
        "SLURM_STEP_NODELIST", "SLURM_STEP_NUM_NODES", "SLURM_STEP_NUM_TASKS", "SLURM_STEP_TASKS_PER_NODE",
        "SLURM_STEP_GPUS", "SLURM_DISTRIBUTION", "SLURM_CPU_BIND", "SLURM_CPU_BIND_LIST", "SLURM_CPU_BIND_TYPE",
        "SLURM_CPU_BIND_VERBOSE", "SLURM_PROCID", "SLURM_LOCALID", "SLURM_NODEID", "SLURM_GTIDS", "SLURM_TASK_PID",
        "SLURM_SRUN_COMM_HOST", "SLURM_SRUN_COMM_PORT", "SLURM_STEP_LAUNCHER_PORT", "SLURM_LAUNCH_NODE_IPADDR",
        "SLURM_UMASK", "PMIX_RANK", "PMIX_NAMESPACE",
    ]

    static func scrub(_ env: inout [String: String]) {
        for k in stepVariables { env.removeValue(forKey: k) }
    }
}
