import PilotCore

/// Turns journal records (in sequence order) into a `RunReport`. Pure: no clock, no I/O; a task
/// still running when the records end gets a bar up to `now`.
public struct RunReportBuilder: Sendable {
    public var window: ReportWindow
    public var title: String
    /// Number of time bins of the utilisation curves.
    public var bins: Int
    /// Slots of each QPU device (the journal names only the slots tasks held): the QPU capacity
    /// is the sum over the devices that ran something, or their slots seen where unknown.
    public var deviceSlots: [String: Int]

    public init(window: ReportWindow = ReportWindow(), title: String = "SwiftPilot run", bins: Int = 200, deviceSlots: [String: Int] = [:]) {
        self.window = window; self.title = title; self.bins = max(1, bins); self.deviceSlots = deviceSlots
    }

    private struct Attempt {
        var attempt: Int
        var readyAt: Double?
        var boundAt: Double?
        var startedAt: Double?
        var placement: PlacementDetail?
        var stage: String?
    }

    private struct RowKey: Hashable, Comparable {
        var kind: Int
        var agent: Int
        var device: String
        var index: Int
        static func < (a: RowKey, b: RowKey) -> Bool {
            (a.kind, a.agent, a.device, a.index) < (b.kind, b.agent, b.device, b.index)
        }
    }

    private struct RawBar {
        var task: Int64, attempt: Int, row: RowKey, start: Double, end: Double, stage: String?, outcome: String
    }

    public func build(_ records: [JournalRecord], now: Double) throws(ReportError) -> RunReport {
        var submitted: [(first: Int64, last: Int64, at: Double)] = []
        var readyAgain: [Int64: Double] = [:]
        var open: [Int64: Attempt] = [:]
        var agentHost: [Int: String] = [:]
        var agentCores: [Int: Int] = [:]
        var agentGPUs: [Int: Int] = [:]
        var stageOfWorkload: [Int64: String] = [:]
        var raw: [RawBar] = []
        var waits: [Double] = []
        var runtimes: [Double] = []
        var failed = 0, canceled = 0
        var firstSeen = Double.infinity

        func submittedAt(_ id: Int64) -> Double? {
            // Submissions come in id order, so the ranges are sorted: binary search.
            var lo = 0, hi = submitted.count - 1
            while lo <= hi {
                let mid = (lo + hi) / 2
                let r = submitted[mid]
                if id < r.first { hi = mid - 1 } else if id > r.last { lo = mid + 1 } else { return r.at }
            }
            return nil
        }
        func included(_ r: JournalRecord) -> Bool {
            guard let w = window.workflow else { return true }
            return r.workflow == w
        }
        /// Ends an attempt: its bars, queue wait and runtime. The agent's times in the record's
        /// detail win over the records' own times (quick tasks have no `task_started` at all).
        func close(_ id: Int64, _ a: Attempt, _ r: JournalRecord, outcome: String) {
            let times = RunTimes.parse(r.detail)
            guard let start = times?.started ?? a.startedAt, let p = a.placement else { return }
            let end = max(start, times?.ended ?? r.at)
            if let ready = a.readyAt { waits.append(max(0, start - ready)) }
            runtimes.append(end - start)
            let stage = a.stage
            for n in p.nodes {
                for c in n.cores { raw.append(RawBar(task: id, attempt: a.attempt, row: RowKey(kind: 0, agent: n.agent, device: "", index: c), start: start, end: end, stage: stage, outcome: outcome)) }
                for g in n.gpus { raw.append(RawBar(task: id, attempt: a.attempt, row: RowKey(kind: 1, agent: n.agent, device: "", index: g), start: start, end: end, stage: stage, outcome: outcome)) }
            }
            if let q = p.qpu {
                for s in q.slots { raw.append(RawBar(task: id, attempt: a.attempt, row: RowKey(kind: 2, agent: -1, device: q.device, index: s), start: start, end: end, stage: stage, outcome: outcome)) }
            }
        }

        for r in records {
            switch r.kind {
            case .agentRegistered, .agentReattached:
                if let a = r.agent, let d = AgentDetail.parse(r.detail) {
                    if let h = d.hostname { agentHost[a] = h }
                    if let c = d.cores { agentCores[a] = c }
                    if let g = d.gpus { agentGPUs[a] = g }
                }
            case .stageState:
                if let w = r.workload, let s = r.stage, included(r) { stageOfWorkload[w] = s }
            case .taskSubmitted:
                guard let t = r.task, included(r) else { continue }
                submitted.append((t, r.taskEnd ?? t, r.at))
                firstSeen = min(firstSeen, r.at)
            case .taskRetried:
                guard let t = r.task, included(r) else { continue }
                if let a = open.removeValue(forKey: t) { close(t, a, r, outcome: "retried") }
                readyAgain[t] = r.at
            case .taskBound:
                guard let t = r.task, included(r) else { continue }
                let ready = readyAgain.removeValue(forKey: t) ?? submittedAt(t)
                let stage = r.stage ?? r.workload.flatMap { stageOfWorkload[$0] }
                open[t] = Attempt(attempt: r.attempt ?? 1, readyAt: ready, boundAt: r.at, startedAt: nil,
                                  placement: PlacementDetail.parse(r.detail), stage: stage)
            case .taskStarted:
                guard let t = r.task, included(r), var a = open[t] else { continue }
                a.startedAt = r.at
                open[t] = a
                firstSeen = min(firstSeen, r.at)
            case .taskFinished, .taskFailed, .taskCanceled:
                guard let t = r.task, included(r) else { continue }
                if r.kind == .taskFailed { failed += 1 }
                if r.kind == .taskCanceled { canceled += 1 }
                guard let a = open.removeValue(forKey: t) else { continue }
                close(t, a, r, outcome: r.kind == .taskFinished ? "done" : r.kind == .taskFailed ? "failed" : "canceled")
            default:
                continue
            }
        }
        for (t, a) in open.sorted(by: { $0.key < $1.key }) where a.startedAt != nil {
            close(t, a, JournalRecord(at: now, kind: .taskStarted, task: t), outcome: "running")
        }

        // Clip to the window.
        let lo = window.since ?? -Double.infinity
        let hi = window.until ?? Double.infinity
        guard lo < hi else { throw ReportError(.badWindow, "the window's start is not before its end") }
        raw = raw.compactMap { b in
            // An instant task stays if it happened inside; others need some time inside.
            if b.start == b.end { return b.start >= lo && b.start <= hi ? b : nil }
            var b = b
            b.start = max(b.start, lo)
            b.end = min(b.end, hi)
            return b.end > b.start ? b : nil
        }
        guard !raw.isEmpty else {
            throw ReportError(.empty, window.workflow.map { "workflow \($0) has no task that ran in the window" } ?? "no task ran in the window")
        }
        raw.sort { ($0.start, $0.task, $0.row) < ($1.start, $1.task, $1.row) }

        let keys = Set(raw.map(\.row)).sorted()
        var rowIndex: [RowKey: Int] = [:]
        var rows: [GanttRow] = []
        for k in keys {
            rowIndex[k] = rows.count
            switch k.kind {
            case 0: rows.append(GanttRow(kind: .core, agent: k.agent, device: nil, index: k.index, label: "\(agentHost[k.agent] ?? "agent \(k.agent)") core \(k.index)"))
            case 1: rows.append(GanttRow(kind: .gpu, agent: k.agent, device: nil, index: k.index, label: "\(agentHost[k.agent] ?? "agent \(k.agent)") gpu \(k.index)"))
            default: rows.append(GanttRow(kind: .qpu, agent: nil, device: k.device, index: k.index, label: "\(k.device) slot \(k.index)"))
            }
        }
        var stageOrder: [String] = []
        var seenStage = Set<String>()
        var bars: [GanttBar] = []
        bars.reserveCapacity(raw.count)
        for b in raw {
            if let s = b.stage, seenStage.insert(s).inserted { stageOrder.append(s) }
            bars.append(GanttBar(task: b.task, attempt: b.attempt, row: rowIndex[b.row]!, start: b.start, end: b.end, stage: b.stage, outcome: b.outcome))
        }
        let start = window.since ?? min(firstSeen, bars.map(\.start).min()!)
        let end = window.until ?? bars.map(\.end).max()!

        // Capacity: what the agents that ran something registered, else the rows seen.
        let agentsUsed = Set(keys.filter { $0.kind < 2 }.map(\.agent))
        var capacity: [SlotKind: Int] = [:]
        let cores = agentsUsed.reduce(0) { $0 + (agentCores[$1] ?? 0) }
        let gpus = agentsUsed.reduce(0) { $0 + (agentGPUs[$1] ?? 0) }
        capacity[.core] = max(cores, keys.filter { $0.kind == 0 }.count)
        capacity[.gpu] = max(gpus, keys.filter { $0.kind == 1 }.count)
        capacity[.qpu] = Dictionary(grouping: keys.filter { $0.kind == 2 }, by: \.device)
            .reduce(0) { $0 + max(deviceSlots[$1.key] ?? 0, $1.value.count) }

        let curves = SlotKind.allCases.compactMap { kind -> UtilisationCurve? in
            guard let cap = capacity[kind], cap > 0 else { return nil }
            return curve(kind, capacity: cap, bars: bars, rows: rows, start: start, end: end)
        }
        let stages = stageFigures(bars: bars, rows: rows, order: stageOrder, capacity: capacity)
        return RunReport(title: title, start: start, end: end, rows: rows, bars: bars, stageOrder: stageOrder, stages: stages,
                         utilisation: curves, queueWaits: waits, runtimes: runtimes, failed: failed, canceled: canceled)
    }

    private func curve(_ kind: SlotKind, capacity: Int, bars: [GanttBar], rows: [GanttRow], start: Double, end: Double) -> UtilisationCurve {
        let span = max(end - start, 1e-9)
        let width = span / Double(bins)
        var busy = [Double](repeating: 0, count: bins)
        for b in bars where rows[b.row].kind == kind {
            // Each bar adds its overlap with every bin it spans.
            let first = max(0, min(bins - 1, Int((b.start - start) / width)))
            let last = max(0, min(bins - 1, Int((b.end - start) / width)))
            for i in first...last {
                let lo = start + Double(i) * width
                let overlap = min(b.end, lo + width) - max(b.start, lo)
                if overlap > 0 { busy[i] += overlap }
            }
        }
        let values = busy.map { min(1, $0 / (width * Double(capacity))) }
        return UtilisationCurve(kind: kind, capacity: capacity, binStart: start, binWidth: width, values: values)
    }

    private func stageFigures(bars: [GanttBar], rows: [GanttRow], order: [String], capacity: [SlotKind: Int]) -> [StageFigures] {
        var byStage: [String: StageFigures] = [:]
        var tasks: [String: Set<Int64>] = [:]
        let names = order + (bars.contains { $0.stage == nil } ? ["(no stage)"] : [])
        for b in bars {
            let name = b.stage ?? "(no stage)"
            var f = byStage[name] ?? StageFigures(name: name, tasks: 0, firstStart: b.start, lastEnd: b.end, coreSeconds: 0,
                                                   gpuSeconds: 0, qpuSeconds: 0)
            f.firstStart = min(f.firstStart, b.start)
            f.lastEnd = max(f.lastEnd, b.end)
            let d = b.end - b.start
            switch rows[b.row].kind {
            case .core: f.coreSeconds += d
            case .gpu: f.gpuSeconds += d
            case .qpu: f.qpuSeconds += d
            }
            tasks[name, default: []].insert(b.task)
            byStage[name] = f
        }
        return names.compactMap { n in
            guard var f = byStage[n] else { return nil }
            f.tasks = tasks[n]?.count ?? 0
            let m = f.makespan
            func share(_ used: Double, _ kind: SlotKind) -> Double? {
                guard let c = capacity[kind], c > 0, m > 0 else { return nil }
                return min(1, used / (Double(c) * m))
            }
            f.coreUtilisation = share(f.coreSeconds, .core)
            f.gpuUtilisation = share(f.gpuSeconds, .gpu)
            f.qpuUtilisation = share(f.qpuSeconds, .qpu)
            return f
        }
    }
}
