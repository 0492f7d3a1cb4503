import NIOConcurrencyHelpers
import PilotCore
import PilotStore
import Prometheus

/// The manager's Prometheus metrics: swift-metrics handles over a registry of this manager's own
/// (not the process-wide `MetricsSystem`, so an embedded manager, several in one test process, or
/// a library user's own bootstrap never collide).
///
/// Two sources feed it. Counters and histograms follow the committed journal through
/// `MetricsFeed`, on a thread of their own; gauges are read from the manager's state when
/// `/metrics` is scraped. The reactor itself never sees a metric.
public final class ManagerMetrics: Sendable {
    let registry: PrometheusCollectorRegistry
    let feed: MetricsFeed
    private let gauges: NIOLockedValueBox<ScrapeGauges>

    init() {
        let registry = PrometheusCollectorRegistry()
        let factory = MetricNames.factory(registry: registry)
        self.registry = registry
        feed = MetricsFeed(metrics: JournalMetrics(factory: factory))
        gauges = NIOLockedValueBox(ScrapeGauges(factory: factory))
    }

    func start() { feed.start() }
    func stop() { feed.stop() }

    /// On the store writer's thread, after each commit.
    func committed(_ batch: WriteBatch, seconds: Double) {
        feed.committed(batch, seconds: seconds)
    }

    /// The text exposition of every metric, after setting the gauges from `reading`.
    func render(_ reading: ScrapeGauges.Reading) -> [UInt8] {
        // One scrape at a time sets the gauges, so two concurrent scrapes never interleave their readings.
        let bytes = gauges.withLockedValue { g in
            g.update(reading)
            return registry.emitToBuffer()
        }
        return Self.addingHelp(bytes)
    }

    /// Puts a `# HELP` line before each `# TYPE` line of a known metric.
    static func addingHelp(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 4096)
        let type = Array("# TYPE ".utf8)
        var start = 0
        while start < bytes.count {
            let end = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
            let line = bytes[start..<end]
            if line.starts(with: type) {
                let rest = line.dropFirst(type.count)
                let name = String(decoding: rest.prefix { $0 != UInt8(ascii: " ") }, as: UTF8.self)
                if let help = MetricNames.help[name] { out.append(contentsOf: Array("# HELP \(name) \(help)\n".utf8)) }
            }
            out.append(contentsOf: line)
            out.append(UInt8(ascii: "\n"))
            start = end + 1
        }
        return out
    }
}
