import PilotCore

extension SlurmAllocation {
    /// What the agent offers inside a Slurm step, when that differs from what hwloc sees.
    ///
    /// Slurm's grant is the truth the scheduler must follow: tasks and gang steps are accounted
    /// against it, and a nested `srun --cpus-per-task` is checked against it. When a node claims
    /// more CPUs than the host has (single-host test clusters with `config_overrides`, or an
    /// oversubscribed partition), the agent presents one core per granted CPU, spread over the
    /// real NUMA domains, and `CPUMapping` pins them round-robin onto the real CPUs. GPUs work the
    /// same way: when Slurm granted GPUs that hwloc cannot see (gres on plain device files),
    /// they are presented with the indices Slurm put in `CUDA_VISIBLE_DEVICES`.
    /// On a real cluster the grant never exceeds the hardware, and nothing changes.
    func presenting(_ native: NodeResources, visibleGPUs: [Int]?) -> NodeResources {
        var res = native
        if let n = cpusOnNode, n > native.coreCount, !native.domains.isEmpty {
            let k = native.domains.count
            var next = 0
            res.domains = native.domains.enumerated().map { i, d in
                let count = n / k + (i < n % k ? 1 : 0)
                var d = d
                d.cores = (0..<count).map { _ in
                    defer { next += 1 }
                    return NodeResources.Core(id: next, pus: [next])
                }
                return d
            }.filter { !$0.cores.isEmpty }
        }
        let granted = visibleGPUs ?? gpusOnNode.map { Array(0..<$0) } ?? []
        if native.gpus.isEmpty, !granted.isEmpty {
            let domains = res.domains.map(\.id)
            res.gpus = granted.enumerated().map { i, index in
                NodeResources.GPU(index: index, domain: domains.isEmpty ? nil : domains[i * domains.count / granted.count],
                                  name: "slurm-gres\(index)")
            }
        }
        return res
    }
}
