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
        gauges.withLockedValue { g in
            g.update(reading)
            return registry.emitToBuffer()
        }
    }
}
