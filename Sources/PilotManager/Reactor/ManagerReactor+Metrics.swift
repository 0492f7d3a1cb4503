import PilotProtocol

extension ManagerReactor {
    /// What the metrics read of agents, pilots and devices; O(agents + pilots), once per scrape.
    func resourceReading() -> ResourceReading {
        var r = ResourceReading()
        for a in agents.values {
            let state = a.draining && a.state == .active ? "draining" : a.state.rawValue
            r.agents[state, default: 0] += 1
            let cluster = a.pilot.map { p in pilotBook.records[p].map(clusterName) ?? config.pilots.defaultClusterName } ?? ResourceReading.noPilot
            r.clusterAgents[cluster, default: [:]][state, default: 0] += 1
            guard a.state == .active, let u = scheduler.usage(of: a.id) else { continue }
            let pilot = a.pilot ?? ResourceReading.noPilot
            r.pilotCluster[pilot] = cluster
            r.slots[pilot, default: .init()].coresFree += u.freeCores
            r.slots[pilot, default: .init()].coresUsed += u.totalCores - u.freeCores
            r.slots[pilot, default: .init()].gpusFree += u.freeGPUs
            r.slots[pilot, default: .init()].gpusUsed += u.totalGPUs - u.freeGPUs
        }
        for p in pilotBook.records.values {
            r.pilots[p.state.rawValue, default: 0] += 1
            r.clusterPilots[clusterName(p), default: [:]][p.state.rawValue, default: 0] += 1
        }
        for (name, u) in scheduler.deviceUsage { r.devices[name] = .init(inUse: u.used, limit: u.slots) }
        return r
    }
}
