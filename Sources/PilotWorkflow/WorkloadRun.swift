import PilotCore

/// The engine's record of one attempt of one stage. Specs are kept once, here, because pipeline
/// tasks and fan-in tasks are submitted long after the stage starts.
struct WorkloadRun: Sendable {
    enum Phase: Sendable { case tasks, awaitingFanOut, fanOut, rounds }

    struct Record: Sendable {
        var spec: TaskSpec
        var phase: WorkloadProgress.TaskPhase
        var round: Int
        var dependsOn: [Int]
        var colocationKey: String?
        var name: String? { spec.name }
    }

    var workload: Workload
    var base: Int
    var attempt: Int
    var phase: Phase = .tasks
    var tasks: [Record] = []
    var pendingDeps: [Int] = []
    var dependents: [[Int]] = []
    var counts: [WorkloadProgress.TaskPhase: Int] = [:]
    var failures = 0
    var finished = false
    var firstStart: Double?
    var lastEnd: Double?
    var result: String?
    var fanInIndex: Int?
    var driver: (any IterativeDriver)?
    var rounds = 0
    var roundRange: Range<Int> = 0..<0
    var roundOutcomes: [TaskOutcomeSummary] = []

    init(workload: Workload, base: Int, attempt: Int) {
        self.workload = workload
        self.base = base
        self.attempt = attempt
    }

    /// Appends tasks; `dependsOn` indices are relative to this attempt (0 = its first task).
    mutating func addTasks(_ items: [(TaskSpec, [Int], String?)], round: Int) {
        tasks.reserveCapacity(tasks.count + items.count)
        for (spec, deps, key) in items {
            let k = tasks.count
            tasks.append(Record(spec: spec, phase: .waiting, round: round, dependsOn: deps, colocationKey: key))
            pendingDeps.append(deps.count)
            dependents.append([])
            for d in deps where d < k { dependents[d].append(k) }
            counts[.waiting, default: 0] += 1
        }
    }

    /// Marks done the tasks in `range` that were done in the previous attempt, when that attempt
    /// generated the same task at the same position (the generators are deterministic, so it
    /// normally did; a plan that changed in between runs everything again), and counts them as
    /// satisfied dependencies.
    mutating func carryOver(from prev: WorkloadRun, range: Range<Int>) {
        for r in range where r < prev.tasks.count && prev.tasks[r].phase == .done && prev.tasks[r].spec == tasks[r].spec
            && tasks[r].phase == .waiting {
            set(r, .done)
            for d in dependents[r] { pendingDeps[d] -= 1 }
        }
        firstStart = prev.firstStart
        lastEnd = prev.lastEnd
    }

    func readyWaiting() -> [Int] {
        tasks.indices.filter { tasks[$0].phase == .waiting && pendingDeps[$0] == 0 }
    }

    mutating func set(_ r: Int, _ p: WorkloadProgress.TaskPhase) {
        counts[tasks[r].phase, default: 0] -= 1
        tasks[r].phase = p
        counts[p, default: 0] += 1
    }

    func planned(_ r: Int) -> PlannedTask {
        PlannedTask(localIndex: base + r, spec: tasks[r].spec, dependsOn: tasks[r].dependsOn.map { base + $0 },
                    colocationKey: tasks[r].colocationKey)
    }

    /// nil for an index from an earlier attempt; throws for one never handed out.
    func relative(_ i: Int, stage: String) throws(WorkflowError) -> Int? {
        if i < base { return nil }
        guard i - base < tasks.count else {
            throw WorkflowError(.invalidEvent, "stage '\(stage)' has no task with local index \(i)")
        }
        return i - base
    }

    mutating func skipDependents(of r: Int) {
        var stack = dependents[r]
        while let d = stack.popLast() {
            guard tasks[d].phase == .waiting else { continue }
            set(d, .skipped)
            stack.append(contentsOf: dependents[d])
        }
    }

    var allTerminal: Bool {
        let open: [WorkloadProgress.TaskPhase] = [.waiting, .released, .submitted, .running]
        return open.allSatisfy { (counts[$0] ?? 0) == 0 }
    }

    func progress(state: StageState) -> WorkloadProgress {
        WorkloadProgress(stage: workload.stage, motif: workload.motif, attempt: attempt, state: state,
                         counts: counts.filter { $0.value != 0 }, total: tasks.count,
                         rounds: workload.motif == .iterative ? rounds : nil,
                         firstStart: firstStart, lastEnd: lastEnd, result: result)
    }
}
