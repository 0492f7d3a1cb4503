/// What a run report shows, built from journal records: the Gantt (one bar per task attempt and slot
/// it held), utilisation over time, per-stage figures and the queue-wait and runtime distributions.
///
/// A plain value so the renderers (`GanttSVG`, `ReportHTML`) and the tests read the same model.
public struct RunReport: Sendable, Hashable {
    public var title: String
    /// The window the report covers (Unix seconds).
    public var start: Double
    public var end: Double
    public var rows: [GanttRow]
    public var bars: [GanttBar]
    /// Stage names in order of first appearance, so colours are stable across renders.
    public var stageOrder: [String]
    public var stages: [StageFigures]
    public var utilisation: [UtilisationCurve]
    public var queueWaits: [Double]
    public var runtimes: [Double]
    /// Tasks that ended failed or canceled in the window.
    public var failed: Int
    public var canceled: Int

    public init(title: String, start: Double, end: Double, rows: [GanttRow], bars: [GanttBar], stageOrder: [String],
                stages: [StageFigures], utilisation: [UtilisationCurve], queueWaits: [Double], runtimes: [Double],
                failed: Int, canceled: Int) {
        self.title = title; self.start = start; self.end = end; self.rows = rows; self.bars = bars
        self.stageOrder = stageOrder; self.stages = stages; self.utilisation = utilisation
        self.queueWaits = queueWaits; self.runtimes = runtimes; self.failed = failed; self.canceled = canceled
    }

    /// Tasks with at least one bar.
    public var taskCount: Int { Set(bars.map(\.task)).count }
}

/// The kind of slot a Gantt row stands for.
public enum SlotKind: String, Sendable, Hashable, Codable, CaseIterable {
    case core, gpu, qpu
}

/// One Gantt row: a core or GPU of an agent, or a slot of a QPU device.
public struct GanttRow: Sendable, Hashable, Codable {
    public var kind: SlotKind
    /// Agent id for cores and GPUs; nil for QPU slots.
    public var agent: Int?
    /// The QPU device, for QPU slots.
    public var device: String?
    /// Core id, GPU index or device slot.
    public var index: Int
    public var label: String

    public init(kind: SlotKind, agent: Int?, device: String?, index: Int, label: String) {
        self.kind = kind; self.agent = agent; self.device = device; self.index = index; self.label = label
    }
}

/// One task attempt on one row, from its start to its end (or the report's end while it runs).
public struct GanttBar: Sendable, Hashable, Codable {
    public var task: Int64
    public var attempt: Int
    /// Index into `RunReport.rows`.
    public var row: Int
    public var start: Double
    public var end: Double
    /// The workflow stage, or nil for tasks outside workflows.
    public var stage: String?
    /// done, failed, canceled or running.
    public var outcome: String

    public init(task: Int64, attempt: Int, row: Int, start: Double, end: Double, stage: String?, outcome: String) {
        self.task = task; self.attempt = attempt; self.row = row; self.start = start; self.end = end
        self.stage = stage; self.outcome = outcome
    }
}

/// Per stage: task count, makespan (first start to last end) and the share of the slots it used.
public struct StageFigures: Sendable, Hashable, Codable {
    public var name: String
    public var tasks: Int
    public var firstStart: Double
    public var lastEnd: Double
    public var coreSeconds: Double
    public var gpuSeconds: Double
    public var qpuSeconds: Double
    /// Used slot-seconds over capacity × makespan, per kind; nil where the run has no such slots.
    public var coreUtilisation: Double?
    public var gpuUtilisation: Double?
    public var qpuUtilisation: Double?

    public var makespan: Double { max(0, lastEnd - firstStart) }
}

/// Busy share of one slot kind per time bin.
public struct UtilisationCurve: Sendable, Hashable, Codable {
    public var kind: SlotKind
    public var capacity: Int
    public var binStart: Double
    public var binWidth: Double
    /// 0...1 per bin.
    public var values: [Double]
}
