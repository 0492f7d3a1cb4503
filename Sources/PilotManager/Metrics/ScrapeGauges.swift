import CoreMetrics
import PilotCore
import PilotProtocol
import PilotStore
import Prometheus

/// The gauges set at scrape time from a reading of the manager's state: tasks by state, agents and
/// pilots by state, slots per pilot, leases per device, and the manager's own sizes. Reading them
/// when asked costs nothing between scrapes; a per-pilot or per-device series whose pilot or
/// device is gone is removed rather than left at its last value.
final class ScrapeGauges: @unchecked Sendable {  // used only under `ManagerMetrics`'s lock
    private let factory: PrometheusMetricsFactory
    private var fixed: [String: CoreMetrics.Meter] = [:]
    /// Series whose label values come and go (pilots, devices), by name and label value.
    private var dynamic: [String: [String: CoreMetrics.Meter]] = [:]

    init(factory: PrometheusMetricsFactory) {
        self.factory = factory
        // Every state is exported from the start, at 0 when empty, so a query never finds a hole.
        for s in TaskState.allCases { set(MetricNames.tasks, ("state", s.rawValue), 0) }
        for s in ResourceReading.agentStates { set(MetricNames.agents, ("state", s), 0) }
        for s in PilotState.allCases { set(MetricNames.pilots, ("state", s.rawValue), 0) }
    }

    struct Reading {
        var summary: Summary?
        var resources: ResourceReading?
        var journal: PilotStore.JournalExtent?
        var subscribers: Int
        var inboxBacklog: Int
        var feedBacklog: Int
    }

    func update(_ r: Reading) {
        if let s = r.summary {
            for st in TaskState.allCases { set(MetricNames.tasks, ("state", st.rawValue), Double(s.count(st))) }
        }
        if let res = r.resources {
            for st in ResourceReading.agentStates { set(MetricNames.agents, ("state", st), Double(res.agents[st] ?? 0)) }
            for st in PilotState.allCases { set(MetricNames.pilots, ("state", st.rawValue), Double(res.pilots[st.rawValue] ?? 0)) }
            func perPilot(_ value: (ResourceReading.Slots) -> Int) -> [String: (dims: [(String, String)], value: Double)] {
                var out: [String: (dims: [(String, String)], value: Double)] = [:]
                for (p, s) in res.slots {
                    let c = res.pilotCluster[p] ?? ResourceReading.noPilot
                    out["\(p)|\(c)"] = ([("pilot", p), ("cluster", c)], Double(value(s)))
                }
                return out
            }
            replace(MetricNames.coresFree, perPilot(\.coresFree))
            replace(MetricNames.coresUsed, perPilot(\.coresUsed))
            replace(MetricNames.gpusFree, perPilot(\.gpusFree))
            replace(MetricNames.gpusUsed, perPilot(\.gpusUsed))
            func perCluster(_ table: [String: [String: Int]]) -> [String: (dims: [(String, String)], value: Double)] {
                var out: [String: (dims: [(String, String)], value: Double)] = [:]
                for (c, states) in table { for (st, n) in states { out["\(c)|\(st)"] = ([("cluster", c), ("state", st)], Double(n)) } }
                return out
            }
            replace(MetricNames.clusterPilots, perCluster(res.clusterPilots))
            replace(MetricNames.clusterAgents, perCluster(res.clusterAgents))
            replace(MetricNames.leasesInUse, label: "device", res.devices.mapValues { Double($0.inUse) })
            replace(MetricNames.leaseLimit, label: "device", res.devices.mapValues { Double($0.limit) })
        }
        if let j = r.journal {
            set(MetricNames.journalRows, nil, Double(j.rows))
            set(MetricNames.journalLastSeq, nil, Double(j.lastSeq))
            set(MetricNames.storeBytes, nil, Double(j.bytes))
        }
        set(MetricNames.subscribers, nil, Double(r.subscribers))
        set(MetricNames.inboxBacklog, nil, Double(r.inboxBacklog))
        set(MetricNames.feedBacklog, nil, Double(r.feedBacklog))
    }

    private func set(_ name: String, _ label: (String, String)?, _ value: Double) {
        let key = label.map { "\(name){\($0.0)=\($0.1)}" } ?? name
        if let m = fixed[key] { m.set(value); return }
        let m = CoreMetrics.Meter(label: name, dimensions: label.map { [$0] } ?? [], factory: factory)
        fixed[key] = m
        m.set(value)
    }

    private func replace(_ name: String, label: String, _ values: [String: Double]) {
        replace(name, values.reduce(into: [:]) { $0[$1.key] = ([(label, $1.key)], $1.value) })
    }

    /// Series keyed by their label values; a key that is gone is removed.
    private func replace(_ name: String, _ values: [String: (dims: [(String, String)], value: Double)]) {
        var table = dynamic[name] ?? [:]
        for (k, m) in table where values[k] == nil {
            m.destroy()
            table[k] = nil
        }
        for (k, v) in values {
            let m = table[k] ?? CoreMetrics.Meter(label: name, dimensions: v.dims, factory: factory)
            table[k] = m
            m.set(v.value)
        }
        dynamic[name] = table
    }
}
