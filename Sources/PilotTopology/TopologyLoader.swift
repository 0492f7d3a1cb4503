import CHwloc
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns hwloc's object tree into the flat `NodeTopology` the agent schedules on.
public enum TopologyLoader {
    public static func load(_ options: TopologyOptions) throws(TopologyError) -> NodeTopology {
        if options.fakeGPUsPerNUMA < 0 {
            throw TopologyError(.invalidOption, "fakeGPUsPerNUMA must be >= 0, got \(options.fakeGPUsPerNUMA)")
        }
        let topology = try HwlocTopology(source: options.source)
        let allowed = try allowedPUs(topology, options)

        let numaObjects = topology.objects(HWLOC_OBJ_NUMANODE)
        var domains: [NUMADomain]
        // Each domain's cpuset, kept beside it to place cores; nil means "everything" (no NUMA objects).
        var domainCPUSets: [hwloc_const_cpuset_t?]
        if numaObjects.isEmpty {
            domains = [NUMADomain(id: 0, osIndex: 0, memoryBytes: topology.root.pointee.total_memory, cores: [])]
            domainCPUSets = [nil]
        } else {
            domains = numaObjects.map {
                NUMADomain(id: Int($0.pointee.logical_index), osIndex: Int($0.pointee.os_index),
                           memoryBytes: chwloc_numanode_local_memory($0), cores: [])
            }
            domainCPUSets = numaObjects.map { $0.pointee.cpuset }
        }

        // A synthetic description may omit the core level; then each PU stands for a core.
        var coreObjects = topology.objects(HWLOC_OBJ_CORE)
        if coreObjects.isEmpty { coreObjects = topology.objects(HWLOC_OBJ_PU) }

        var usedPackages = Set<Int>()
        for core in coreObjects {
            let cpuset = core.pointee.cpuset
            var pus = Bitmap.indices(of: cpuset)
            if let allowed { pus = pus.filter(allowed.contains) }
            guard !pus.isEmpty else { continue }

            let package = hwloc_get_ancestor_obj_by_type(topology.handle, HWLOC_OBJ_PACKAGE, core)
                .map { Int($0.pointee.logical_index) } ?? 0
            usedPackages.insert(package)
            // On machines where several NUMA nodes cover the same cores (e.g. DDR + HBM),
            // the core goes to the first one, which hwloc orders as the normal DRAM node.
            let slot = domainCPUSets.firstIndex { domainSet in
                guard let domainSet else { return true }
                return hwloc_bitmap_isincluded(cpuset, domainSet) != 0
            } ?? domainCPUSets.firstIndex { domainSet in
                guard let domainSet else { return true }
                return hwloc_bitmap_intersects(cpuset, domainSet) != 0
            } ?? 0
            domains[slot].cores.append(CPUCore(id: Int(core.pointee.logical_index), package: package,
                                               puOSIndices: pus))
        }

        let packageCount = usedPackages.isEmpty
            ? max(1, topology.objects(HWLOC_OBJ_PACKAGE).count)
            : usedPackages.count

        var gpus = options.fakeGPUsPerNUMA > 0
            ? fakeGPUs(perDomain: options.fakeGPUsPerNUMA, domains: domains)
            : realGPUs(topology, numaObjects: numaObjects)
        if let visible = options.visibleGPUs {
            let keep = Set(visible)
            gpus = gpus.filter { keep.contains($0.index) }
        }

        return NodeTopology(hostname: hostname(topology, options.source),
                            source: options.source.label,
                            packages: packageCount,
                            numaDomains: domains,
                            gpus: gpus,
                            totalMemoryBytes: topology.root.pointee.total_memory)
    }

    /// Writes the topology `options.source` describes as hwloc XML, for fixtures and bug reports.
    /// The XML is unfiltered: restrictions and fake GPUs are applied at load time, not stored.
    public static func exportXML(_ options: TopologyOptions = TopologyOptions(), to path: String) throws(TopologyError) {
        let topology = try HwlocTopology(source: options.source)
        try topology.exportXML(to: path)
    }

    /// Binds the calling thread to OS PUs. Internal: tests use it to play a bound Slurm step.
    static func bindCallingThread(to pus: [Int]) throws(TopologyError) {
        let topology = try HwlocTopology(source: .native)
        try topology.bindCallingThread(to: pus)
    }

    /// nil means "no restriction".
    static func allowedPUs(_ topology: HwlocTopology, _ options: TopologyOptions) throws(TopologyError) -> Set<Int>? {
        var allowed: Set<Int>? = nil
        // hwloc already drops PUs outside the cgroup cpuset; the affinity mask is what
        // `taskset`, `srun --cpu-bind` and Slurm's task/affinity plugin change.
        if options.restrictToAllowedCPUs && topology.isThisSystem {
            allowed = Set(try topology.callingThreadAffinity())
        }
        if let explicit = options.restrictToPUs {
            if let bad = explicit.first(where: { $0 < 0 }) {
                throw TopologyError(.invalidOption, "restrictToPUs contains negative PU \(bad)")
            }
            allowed = allowed.map { $0.intersection(explicit) } ?? Set(explicit)
        }
        return allowed
    }

    static func hostname(_ topology: HwlocTopology, _ source: TopologySource) -> String {
        if source == .native {
            var buffer = [CChar](repeating: 0, count: 256)
            if gethostname(&buffer, buffer.count - 1) == 0 {
                return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            }
        }
        if let name = hwloc_obj_get_info_by_name(topology.root, "HostName") {
            return String(cString: name)
        }
        switch source {
        case .native: return "localhost"
        case .synthetic: return "synthetic"
        case .xml: return "unknown"
        }
    }
}
