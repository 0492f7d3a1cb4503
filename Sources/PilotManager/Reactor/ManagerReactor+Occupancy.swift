import PilotCore
import PilotProtocol

extension ManagerReactor {
    /// Who holds which slot, from the bindings of the tasks in memory (bound and running ones are
    /// always there), and how many ready tasks wait for each QPU device. A read for the dashboard
    /// and `pilot top`: it walks the live tasks once.
    public func occupancy() -> Occupancy {
        var cores: [Int: [Int: [Int64]]] = [:]
        var gpus: [Int: [Int: [Int64]]] = [:]
        var leases: [String: [Int: [Int64]]] = [:]
        var queued: [String: Int] = [:]
        var anyQueued = 0
        for (id, row) in live {
            if row.state == .ready {
                // The request does not depend on an array member's index: the template's is its own.
                if let q = specs[row.specID]?.request.qpu {
                    if let d = q.device { queued[d, default: 0] += 1 } else { anyQueued += 1 }
                }
                continue
            }
            guard row.state == .bound || row.state == .running, let b = row.binding else { continue }
            for p in b.placements {
                for c in p.cores { cores[p.agent, default: [:]][c, default: []].append(id) }
                for g in p.gpus { gpus[p.agent, default: [:]][g, default: []].append(id) }
            }
            if let q = b.qpu { for s in q.slots { leases[q.device, default: [:]][s, default: []].append(id) } }
        }
        let agentList = agents.values.sorted { $0.id < $1.id }.map { a -> Occupancy.Agent in
            let c = cores[a.id] ?? [:], g = gpus[a.id] ?? [:]
            let domains = a.resources.domains.map { d in
                Occupancy.Domain(id: d.id, cores: d.cores.map { Occupancy.Slot(id: $0.id, tasks: (c[$0.id] ?? []).sorted()) },
                                 gpus: a.resources.gpus.filter { $0.domain == d.id }.map { Occupancy.Slot(id: $0.index, tasks: (g[$0.index] ?? []).sorted()) })
            }
            let domainIDs = Set(a.resources.domains.map(\.id))
            let other = a.resources.gpus.filter { $0.domain.map { !domainIDs.contains($0) } ?? true }
                .map { Occupancy.Slot(id: $0.index, tasks: (g[$0.index] ?? []).sorted()) }
            return Occupancy.Agent(id: a.id, hostname: a.hostname, pilot: a.pilot,
                                   state: a.draining && a.state == .active ? "draining" : a.state.rawValue, domains: domains, otherGPUs: other)
        }
        let devices = scheduler.deviceUsage.sorted { $0.key < $1.key }.map { name, u in
            Occupancy.Device(name: name, slots: u.slots, used: u.used,
                             leases: (leases[name] ?? [:]).sorted { $0.key < $1.key }.map { Occupancy.Slot(id: $0.key, tasks: $0.value.sorted()) },
                             queued: queued[name] ?? 0)
        }
        return Occupancy(agents: agentList, devices: devices, anyDeviceQueued: anyQueued)
    }
}
