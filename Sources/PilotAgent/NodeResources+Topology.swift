import PilotCore
import PilotTopology

extension NodeResources {
    /// The scheduler's view of a discovered node: cores by NUMA domain, GPUs with their domain.
    public init(topology t: NodeTopology, custom: [String: Int] = [:], qpuDevices: [String]? = nil) {
        let domains = t.numaDomains.filter { !$0.cores.isEmpty }.map { d in
            NodeResources.Domain(id: d.id, cores: d.cores.map { NodeResources.Core(id: $0.id, pus: $0.puOSIndices) },
                                 memoryBytes: d.memoryBytes)
        }
        let gpus = t.gpus.map { NodeResources.GPU(index: $0.index, domain: $0.numaDomain, name: $0.name) }
        self.init(hostname: t.hostname, domains: domains, gpus: gpus, memoryBytes: t.totalMemoryBytes,
                  custom: custom, qpuDevices: qpuDevices)
    }
}
