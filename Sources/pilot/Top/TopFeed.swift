import Foundation
import PilotCore
import PilotProtocol

/// Follows the journal's task records between frames: ended tasks for the throughput and the
/// recent list, with the start and stage of each for its runtime. Bounded: old entries fall off.
struct TopFeed {
    var cursor: Int64 = 0
    var lastSeq: Int64 = 0
    var ends: [Double] = []
    var started: [Int64: Double] = [:]
    var stage: [Int64: String] = [:]
    var recent: [TopRecentTask] = []

    static let kinds = [JournalKind.taskBound, .taskStarted, .taskFinished, .taskFailed, .taskCanceled].map(\.rawValue)

    /// Starts a little before the journal's end, so the first frame already has a throughput.
    mutating func prime(_ client: PilotClient) async throws {
        let head = try await client.events(since: 0, limit: 1)
        cursor = max(0, head.lastSeq - 5_000)
        try await poll(client)
    }

    mutating func poll(_ client: PilotClient) async throws {
        for _ in 0..<20 {
            let page = try await client.events(since: cursor, limit: 5_000, kinds: Self.kinds)
            lastSeq = max(lastSeq, page.lastSeq)
            for r in page.events { apply(r) }
            cursor = page.events.last?.seq ?? cursor
            if page.events.count < 5_000 { break }
        }
    }

    mutating func apply(_ r: JournalRecord) {
        guard let t = r.task else { return }
        switch r.kind {
        case .taskBound: if let s = r.stage { stage[t] = s }
        case .taskStarted: started[t] = r.at
        case .taskFinished, .taskFailed, .taskCanceled:
            ends.append(r.at)
            let s = started.removeValue(forKey: t)
            recent.insert(TopRecentTask(task: t, outcome: String(r.kind.rawValue.dropFirst(5)), agent: r.agent,
                                        stage: stage.removeValue(forKey: t), runtime: s.map { r.at - $0 }, endedAt: r.at), at: 0)
            if recent.count > 200 { recent.removeLast(recent.count - 200) }
        default: break
        }
    }

    /// Rates over 10 s and 60 s and 2-second bins over the last minute; forgets ends older than that.
    mutating func throughput(now: Double) -> (Double, Double, [Int]) {
        ends.removeAll { $0 < now - 60 }
        if started.count > 100_000 { started.removeAll() }
        var bins = [Int](repeating: 0, count: 30)
        for e in ends { bins[min(29, max(0, Int((e - (now - 60)) / 2)))] += 1 }
        return (Double(ends.filter { $0 >= now - 10 }.count) / 10, Double(ends.count) / 60, bins)
    }
}
