import Foundation
import PilotCore
import PilotProtocol

/// Lays out one frame of `pilot top` as lines no wider than the terminal: pure, so a frame is the
/// same text whatever draws it.
struct TopScreen {
    var columns: Int
    var rows: Int

    func render(_ s: TopSnapshot) -> [String] {
        var out: [String] = []
        let clock = Self.clock(s.now)
        out.append(bold("SwiftPilot top") + "  manager \(s.summary.version)  up \(Self.duration(s.now - s.summary.startedAt))  journal seq \(s.lastSeq)  \(clock)  q: quit")
        out.append("")
        let states = TaskState.allCases.map { "\($0.rawValue) \(s.summary.count($0))" }.joined(separator: "  ")
        out.append(bold("TASKS") + "  " + states + "  total \(s.summary.total)")
        out.append(bold("THROUGHPUT") + "  " + String(format: "%.1f/s (10 s)  %.1f/s (60 s)  ", s.rate10, s.rate60) + Self.sparkline(s.bins))
        out.append("")
        out.append(bold("AGENTS") + "  \(s.summary.agents) registered")
        out.append(pad("  ID", 5) + pad("HOST", 18) + pad("PILOT", 10) + pad("STATE", 10) + pad("CORES", 26) + pad("GPUS", 8) + "TASKS")
        let info = Dictionary(uniqueKeysWithValues: s.agents.map { ($0.id, $0) })
        for a in s.occupancy.agents {
            let cores = a.domains.flatMap(\.cores)
            let busy = cores.filter { !$0.tasks.isEmpty }.count
            let gpus = a.domains.flatMap(\.gpus) + a.otherGPUs
            let gBusy = gpus.filter { !$0.tasks.isEmpty }.count
            out.append(pad("  \(a.id)", 5) + pad(a.hostname, 18) + pad(a.pilot ?? "-", 10) + pad(a.state, 10)
                       + pad(Self.meter(busy, cores.count, width: 12) + " \(busy)/\(cores.count)", 26)
                       + pad("\(gBusy)/\(gpus.count)", 8) + "\(info[a.id]?.tasks ?? 0)")
            // One line of NUMA domains: a mark per core, busy or free.
            let numa = a.domains.map { d in "numa\(d.id) " + d.cores.map { $0.tasks.isEmpty ? "·" : "█" }.joined() + d.gpus.map { $0.tasks.isEmpty ? "○" : "●" }.joined() }
            out.append("       " + numa.joined(separator: "  "))
        }
        if !s.occupancy.devices.isEmpty {
            out.append("")
            out.append(bold("QPU DEVICES") + "  " + s.occupancy.devices.map { "\($0.name) \($0.used)/\($0.slots)" + ($0.queued > 0 ? " +\($0.queued) queued" : "") }.joined(separator: "  ")
                       + (s.occupancy.anyDeviceQueued > 0 ? "  any: \(s.occupancy.anyDeviceQueued) queued" : ""))
        }
        out.append("")
        out.append(bold("RECENT TASKS"))
        out.append(pad("  TASK", 10) + pad("OUTCOME", 10) + pad("AGENT", 7) + pad("STAGE", 16) + pad("RUNTIME", 10) + "ENDED")
        let room = max(0, rows - out.count - 1)
        for t in s.recent.prefix(room) {
            out.append(pad("  \(t.task)", 10) + pad(t.outcome, 10) + pad(t.agent.map(String.init) ?? "-", 7) + pad(t.stage ?? "-", 16)
                       + pad(t.runtime.map { Self.duration($0) } ?? "-", 10) + Self.clock(t.endedAt))
        }
        return out.prefix(rows).map { clip($0) }
    }

    private func bold(_ s: String) -> String { "\u{1B}[1m" + s + "\u{1B}[0m" }

    private func pad(_ s: String, _ n: Int) -> String { s.count >= n ? String(s.prefix(n - 1)) + " " : s + String(repeating: " ", count: n - s.count) }

    /// Cuts a line to the terminal's width, not counting the escape sequences of bold text.
    private func clip(_ line: String) -> String {
        var visible = 0, out = "", inEscape = false
        for c in line {
            if c == "\u{1B}" { inEscape = true }
            if inEscape { out.append(c); if c == "m" { inEscape = false }; continue }
            guard visible < columns else { continue }
            out.append(c)
            visible += 1
        }
        return out
    }

    static func meter(_ used: Int, _ total: Int, width: Int) -> String {
        let n = total == 0 ? 0 : Int((Double(used) / Double(total) * Double(width)).rounded())
        return "[" + String(repeating: "#", count: n) + String(repeating: "-", count: width - n) + "]"
    }

    static func sparkline(_ bins: [Int]) -> String {
        let marks = Array("▁▂▃▄▅▆▇█")
        let peak = max(bins.max() ?? 0, 1)
        return String(bins.map { $0 == 0 ? " " : marks[min(7, $0 * 7 / peak)] })
    }

    static func duration(_ s: Double) -> String {
        if s < 1 { return "\(Int((s * 1000).rounded())) ms" }
        if s < 60 { return String(format: "%.1f s", s) }
        let t = Int(s)
        return t < 3600 ? "\(t / 60)m\(t % 60)s" : "\(t / 3600)h\(t / 60 % 60)m"
    }

    static func clock(_ t: Double) -> String {
        let f = DateFormatter()
        f.dateFormat = "HH:mm:ss"
        return f.string(from: Date(timeIntervalSince1970: t))
    }
}
