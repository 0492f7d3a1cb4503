import Foundation
import PilotProtocol
import Synchronization

/// A stand-in for Prometheus in the benchmarks: fetches `/metrics` with the read-only metrics token
/// at a fixed interval, so a run measures the manager's throughput with a scraper attached.
final class MetricsScraper: Sendable {
    private let scrapes = Atomic<Int>(0)
    private let task = Mutex<Task<Void, Never>?>(nil)

    /// Successful scrapes so far.
    var count: Int { scrapes.load(ordering: .relaxed) }

    static func start(serverDir: String, every seconds: Double) throws -> MetricsScraper {
        let access = try AccessFile.read(from: serverDir)
        guard let token = access.metricsToken else { throw CLIError("the manager in \(serverDir) serves no metrics") }
        let client = PilotClient(host: access.host == "0.0.0.0" ? "127.0.0.1" : access.host, port: access.port, token: token,
                                 tlsFingerprint: access.tlsFingerprint)
        let s = MetricsScraper()
        let t = Task { [s] in
            while !Task.isCancelled {
                if let (_, code) = try? await client.raw("GET", "/metrics", body: nil), code == 200 {
                    s.scrapes.add(1, ordering: .relaxed)
                }
                try? await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
            }
        }
        s.task.withLock { $0 = t }
        return s
    }

    func stop() async {
        let t = task.withLock { $0 }
        t?.cancel()
        await t?.value
    }
}
