/// How to load and filter a node's topology.
public struct TopologyOptions: Sendable {
    public var source: TopologySource
    /// Keep only PUs in the calling thread's CPU affinity (which every thread inherits
    /// from the Slurm step), so inside a job only the granted cores count.
    /// Ignored for synthetic and XML sources: they describe some other machine. PUs outside the
    /// cgroup cpuset (Slurm's task/cgroup) are always dropped natively: hwloc never lists them.
    public var restrictToAllowedCPUs: Bool
    /// An explicit OS PU list (e.g. parsed from `SLURM_CPU_BIND` or a cpuset file).
    /// Applies to every source, and on top of `restrictToAllowedCPUs`.
    public var restrictToPUs: [Int]?
    /// Invent this many GPUs per NUMA domain (replacing real ones) for development on GPU-less nodes.
    public var fakeGPUsPerNUMA: Int
    /// A `CUDA_VISIBLE_DEVICES`-style filter over node-wide GPU indices. Indices are kept, not renumbered,
    /// so the agent can hand the same numbers on to tasks.
    public var visibleGPUs: [Int]?

    public init(source: TopologySource = .native,
                restrictToAllowedCPUs: Bool = true,
                restrictToPUs: [Int]? = nil,
                fakeGPUsPerNUMA: Int = 0,
                visibleGPUs: [Int]? = nil) {
        self.source = source
        self.restrictToAllowedCPUs = restrictToAllowedCPUs
        self.restrictToPUs = restrictToPUs
        self.fakeGPUsPerNUMA = fakeGPUsPerNUMA
        self.visibleGPUs = visibleGPUs
    }
}
