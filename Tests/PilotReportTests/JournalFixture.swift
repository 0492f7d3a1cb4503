import Foundation
import PilotCore

/// Journal records recorded as JSON lines (what `pilot events --json` prints), and an independent
/// reading of them: which slots each started task attempt held, and from when to when.
enum JournalFixture {
    static func load(_ name: String) throws -> [JournalRecord] {
        guard let url = url(name) else { throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: "Fixtures/" + name]) }
        let text = try String(contentsOf: url, encoding: .utf8)
        let dec = JSONDecoder()
        dec.keyDecodingStrategy = .convertFromSnakeCase  // as the API writes them (`task_end`)
        return try text.split(separator: "\n").map { try dec.decode(JournalRecord.self, from: Data($0.utf8)) }
    }

    static func url(_ name: String) -> URL? { Bundle.module.url(forResource: "Fixtures/" + name, withExtension: nil) }

    /// (task, attempt, kind, agent or device, index, start, end) for every attempt that started and ended.
    struct ExpectedBar: Hashable, CustomStringConvertible {
        var task: Int64, attempt: Int, kind: String, owner: String, index: Int, start: Double, end: Double
        var description: String { "task \(task)#\(attempt) \(kind) \(owner)/\(index) \(start)–\(end)" }
        var key: String { "\(task)#\(attempt) \(kind) \(owner)/\(index)" }
    }

    /// What differs between two sets of bars: keys on one side only, and times further apart than
    /// `tolerance` (two JSON parsers may round the last digit of a time differently).
    static func differences(_ a: Set<ExpectedBar>, _ b: Set<ExpectedBar>, tolerance: Double = 1e-5) -> [String] {
        let ia = Dictionary(a.map { ($0.key, $0) }, uniquingKeysWith: { x, _ in x })
        let ib = Dictionary(b.map { ($0.key, $0) }, uniquingKeysWith: { x, _ in x })
        var out: [String] = []
        if ia.count != a.count || ib.count != b.count { out.append("a slot appears twice for one attempt") }
        for (k, x) in ia {
            guard let y = ib[k] else { out.append("only in the first: \(x)"); continue }
            if abs(x.start - y.start) > tolerance || abs(x.end - y.end) > tolerance { out.append("\(x) against \(y)") }
        }
        for (k, y) in ib where ia[k] == nil { out.append("only in the second: \(y)") }
        return out.sorted()
    }

    static func expectedBars(_ records: [JournalRecord], workflow: Int64? = nil) throws -> Set<ExpectedBar> {
        var bound: [Int64: (attempt: Int, slots: [(String, String, Int)])] = [:]
        var started: [Int64: Double] = [:]
        var out = Set<ExpectedBar>()
        for r in records {
            guard let t = r.task, workflow == nil || r.workflow == workflow else { continue }
            switch r.kind {
            case .taskBound:
                let obj = try JSONSerialization.jsonObject(with: Data((r.detail ?? "{}").utf8)) as? [String: Any] ?? [:]
                var slots: [(String, String, Int)] = []
                for n in obj["nodes"] as? [[String: Any]] ?? [] {
                    let agent = "\(n["agent"] as? Int ?? -1)"
                    for c in n["cores"] as? [Int] ?? [] { slots.append(("core", agent, c)) }
                    for g in n["gpus"] as? [Int] ?? [] { slots.append(("gpu", agent, g)) }
                }
                if let q = obj["qpu"] as? [String: Any], let d = q["device"] as? String {
                    for s in q["slots"] as? [Int] ?? [] { slots.append(("qpu", d, s)) }
                }
                bound[t] = (r.attempt ?? 0, slots)
                started[t] = nil
            case .taskStarted:
                started[t] = r.at
            case .taskFinished, .taskFailed, .taskCanceled, .taskRetried:
                // The agent's times in the detail, where the manager wrote them, else the records' own.
                let times = try JSONSerialization.jsonObject(with: Data((r.detail ?? "{}").utf8)) as? [String: Any] ?? [:]
                if let b = bound[t], let s = times["started"] as? Double ?? started[t] {
                    let e = times["ended"] as? Double ?? r.at
                    for (k, o, i) in b.slots { out.insert(ExpectedBar(task: t, attempt: b.attempt, kind: k, owner: o, index: i, start: s, end: e)) }
                }
                bound[t] = nil
                started[t] = nil
            default: continue
            }
        }
        return out
    }
}
