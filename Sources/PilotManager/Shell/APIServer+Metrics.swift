import Hummingbird
import NIOCore
import PilotStore

extension APIServer {
    static let metricsPath = "/metrics"

    /// `GET /metrics`: Prometheus's text exposition format. Authenticated with the bearer token or
    /// the read-only metrics token from `access.json` (accepted here only; see `AuthMiddleware`).
    ///
    /// Gauges are read when scraped: the task counts from the summary the reactor last published
    /// (no wait on the reactor), agents, pilots and leases between two of its events, and the
    /// journal's extent from the store on the work pool.
    func addMetricsRoute(to r: Router<BasicRequestContext>) {
        r.get(RouterPath(Self.metricsPath)) { _, _ in
            guard let metrics = self.shell.metrics else {
                return self.errorResponse(ManagerError(.notFound, "this manager runs without metrics (--no-metrics)"))
            }
            let store = self.shell.store
            // Everything committed before the scrape is counted before it is shown.
            await metrics.feed.flush()
            let resources = await self.shell.read { $0.resourceReading() }
            // A store that cannot be read leaves the journal gauges at their last value rather than fail the scrape.
            let extent = try? await self.shell.blocking { try store.journalExtent() }
            let reading = ScrapeGauges.Reading(summary: self.shell.summary, resources: resources, journal: extent,
                                               subscribers: self.shell.journal.subscriberCount,
                                               inboxBacklog: self.shell.inboxBacklog, feedBacklog: metrics.feed.backlog)
            let bytes = metrics.render(reading)
            var buf = ByteBufferAllocator().buffer(capacity: bytes.count)
            buf.writeBytes(bytes)
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: .init(byteBuffer: buf))
        }
    }
}
