import ArgumentParser
import Foundation
import PilotCore
import PilotManager
import PilotProtocol

extension BenchCommand {
    /// How late the live event stream is: a separate subscriber process (curl) reads
    /// `GET /v1/events?follow=true` while tasks are submitted at a steady pace, and each record's
    /// delay is its arrival at this process minus the time the manager stamped on the change.
    struct Events: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "events",
            abstract: "Event-stream delay at a steady rate: p50/p99/max from a change to its arrival at a subscriber.",
            discussion: """
            Null tasks are submitted in small arrays every 10 ms so that the journal produces about --rate records per
            second (each null task makes about 2.2: submitted and bound, finished, and started when a report batch sees it running). A curl process reads the stream;
            this process stamps every line as it arrives. Reported: records received, achieved records/s, and the
            delay percentiles. The subscriber runs on the same machine, so its delay includes the scheduling of two
            processes on a shared box.
            """)
        @Option(help: "Journal records per second to aim at.") var rate = 1000.0
        @Option(help: "Seconds of steady submission.") var seconds = 20.0
        @Option(help: "Journal records per null task, to size the submissions (measured: about 2.2; a task quicker than a report batch has no started record).") var recordsPerTask = 2.2
        @OptionGroup var opts: BenchOptions

        func run() async throws {
            BenchLine.outFile = opts.out
            let b = try await BenchCluster.start(topology: try opts.topo.load(), null: true, prefetch: opts.prefetch)
            let a = try AccessFile.read(from: b.cluster.serverDir)
            let since = try await b.cluster.client.events(since: 0, limit: 1).lastSeq
            let reader = try StreamReader(url: "\(a.tlsFingerprint == nil ? "http" : "https")://127.0.0.1:\(a.port)/v1/events?follow=true&since=\(since)",
                                          token: a.token, caFile: a.tlsFingerprint == nil ? nil : ManagerTLS.certificatePath(in: b.cluster.serverDir))
            let spec = BenchCluster.spec(null: true, command: ["/bin/true"])
            let tasksPerSecond = rate / recordsPerTask
            let start = ContinuousClock.now
            var submitted = 0.0
            var tasks = 0
            while true {
                let elapsed = (ContinuousClock.now - start).seconds
                guard elapsed < seconds else { break }
                let due = Int(elapsed * tasksPerSecond - submitted)
                if due > 0 {
                    _ = try await b.cluster.client.submit(SubmitRequest(array: ArraySubmission(template: spec, range: "0-\(due - 1)")))
                    submitted += Double(due)
                    tasks += due
                }
                try await Task.sleep(for: .milliseconds(10))
            }
            _ = try await b.cluster.waitAll(progress: false)
            // The last records are the ones just committed: give the stream a moment to deliver them.
            let wall = (ContinuousClock.now - start).seconds
            let delays = await reader.finish(expectingAtLeast: tasks * 2)
            BenchLine.print(["workload": "events", "tasks": tasks, "records": delays.count, "seconds": wall,
                             "records_per_s": Double(delays.count) / wall, "target_records_per_s": rate,
                             "delay_p50_ms": percentile(delays, 50) * 1000, "delay_p99_ms": percentile(delays, 99) * 1000,
                             "delay_max_ms": (delays.max() ?? 0) * 1000, "load1": loadAverage()])
            await b.cluster.stop()
        }
    }
}

/// A curl process on the stream; a thread of ours reads its output line by line and stamps each
/// `data:` record with its arrival time minus the record's own `at`.
final class StreamReader: @unchecked Sendable {
    private let process: Process
    private let delays = DelayLog()

    /// `caFile`: the manager's certificate, the only one curl then trusts.
    init(url: String, token: String, caFile: String?) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        p.arguments = ["-sN", "-H", "Authorization: Bearer \(token)"] + (caFile.map { ["--cacert", $0] } ?? []) + [url]
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        process = p
        let handle = pipe.fileHandleForReading
        let delays = self.delays
        let thread = Thread {
            var pending = Data()
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                let now = Date().timeIntervalSince1970
                pending.append(chunk)
                while let nl = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = pending[pending.startIndex..<nl]
                    pending.removeSubrange(pending.startIndex...nl)
                    guard line.starts(with: Data("data:".utf8)),
                          let obj = try? JSONSerialization.jsonObject(with: line.dropFirst(5)) as? [String: Any],
                          let at = obj["at"] as? Double else { continue }
                    delays.append(now - at)
                }
            }
        }
        thread.start()
    }

    /// Waits (bounded) until `n` records arrived, then stops the subscriber and returns the delays.
    func finish(expectingAtLeast n: Int) async -> [Double] {
        for _ in 0..<200 where delays.count < n {
            try? await Task.sleep(for: .milliseconds(25))
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        return delays.values
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

final class DelayLog: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [Double] = []
    func append(_ d: Double) { lock.lock(); list.append(d); lock.unlock() }
    var count: Int { lock.lock(); defer { lock.unlock() }; return list.count }
    var values: [Double] { lock.lock(); defer { lock.unlock() }; return list }
}
