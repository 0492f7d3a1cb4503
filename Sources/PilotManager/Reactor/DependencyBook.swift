import PilotCore
import PilotProtocol
import PilotStore

/// Plain tasks that wait for others (`after`): which tasks each waits on, who waits on each, and
/// which ended tasks did not succeed, so a dependency on a task already gone from memory still
/// knows how it ended (an id below the next id that is neither live nor here ended done).
struct DependencyBook: Sendable {
    var waitingOn: [Int64: Set<Int64>] = [:]
    var dependents: [Int64: [Int64]] = [:]
    var endedBadly: Set<Int64> = []
    /// Ended tasks whose dependents are still to be looked at; drained after each change so a
    /// chain of failures cascades without recursion.
    var ended: [(Int64, TaskState)] = []
    var resolving = false
}

extension ManagerReactor {
    /// How a dependency stands for a task submitted now.
    enum DependencyState { case pending, succeeded, failed(TaskState) }

    func dependencyState(_ dep: Int64) -> DependencyState? {
        guard dep > 0, dep < nextTaskID else { return nil }
        if let row = live[dep] {
            if !row.state.isTerminal { return .pending }
            return row.state == .done ? .succeeded : .failed(row.state)
        }
        return dependencies.endedBadly.contains(dep) ? .failed(.failed) : .succeeded
    }

    /// Checks `after` at submit: every id names an earlier task, or one earlier in the same request
    /// (ids `first..<own`, as `resubmit` makes them).
    func checkDependencies(_ spec: TaskSpec, field: String, first: Int64, own: Int64) throws(ManagerError) {
        for d in spec.after where !(d >= first && d < own) && dependencyState(d) == nil {
            throw ManagerError(.notFound, "no task \(d) to wait for", field: "\(field).after")
        }
    }

    enum DependencyGate { case ready, wait(Set<Int64>), fail(String) }

    /// Whether a task submitted now may be queued, waits in `new`, or fails at once (`after_ok`
    /// naming a task that already failed).
    func dependencyGate(_ spec: TaskSpec) -> DependencyGate {
        guard !spec.after.isEmpty else { return .ready }
        var pending = Set<Int64>()
        for d in spec.after {
            // A task of the same request, not created yet: it has not ended.
            if d >= nextTaskID { pending.insert(d); continue }
            switch dependencyState(d) {
            case .pending?: pending.insert(d)
            case .failed(let s)? where spec.afterOk: return .fail("dependency \(d) ended \(s.rawValue) (after_ok)")
            default: continue
            }
        }
        return pending.isEmpty ? .ready : .wait(pending)
    }

    /// New tasks from ended ones, in id order; an `after` naming another of them is moved to its
    /// new id, so a resubmitted chain runs in its old order.
    mutating func resubmit(_ items: [ResubmitItem]) throws(ManagerError) -> SubmitResponse {
        guard !items.isEmpty else { throw ManagerError(.notFound, "no task matches", field: "state") }
        let sorted = items.sorted { $0.id < $1.id }
        var newID: [Int64: Int64] = [:]
        for (i, it) in sorted.enumerated() { newID[it.id] = nextTaskID + Int64(i) }
        let specs = sorted.map { it -> TaskSpec in
            var s = it.spec
            s.after = s.after.map { newID[$0] ?? $0 }
            return s
        }
        return try submit(SubmitRequest(tasks: specs))
    }

    /// Called by `setState` for every task that ends.
    mutating func taskEnded(_ id: Int64, _ state: TaskState) {
        if state != .done { dependencies.endedBadly.insert(id) }
        if let waiting = dependencies.waitingOn.removeValue(forKey: id) {
            // Canceled or failed while waiting: it no longer waits on anything.
            for d in waiting { dependencies.dependents[d]?.removeAll { $0 == id } }
        }
        guard dependencies.dependents[id] != nil else { return }
        dependencies.ended.append((id, state))
        guard !dependencies.resolving else { return }
        dependencies.resolving = true
        defer { dependencies.resolving = false }
        while !dependencies.ended.isEmpty {
            let (dep, how) = dependencies.ended.removeFirst()
            for t in dependencies.dependents.removeValue(forKey: dep) ?? [] {
                guard var waiting = dependencies.waitingOn[t], let row = live[t], row.state == .new else { continue }
                let spec = spec(of: row)
                if how != .done && spec.afterOk {
                    // `finish` ends it (and queues its own dependents) through setState.
                    finish(t, .failed, reason: "dependency \(dep) ended \(how.rawValue) (after_ok)")
                    continue
                }
                waiting.remove(dep)
                if waiting.isEmpty {
                    dependencies.waitingOn[t] = nil
                    setState(t, .ready, reason: "dependencies ended")
                    scheduler.enqueue(t, request: spec.request, priority: row.priority, time: spec.timeRequest, estimates: spec.qpuEstimates)
                    requestTick()
                } else {
                    dependencies.waitingOn[t] = waiting
                }
            }
        }
    }

    /// After a restart: tasks stored as `new` wait again on their dependencies that have not ended.
    mutating func restoreDependencies(_ waiting: [TaskRow], endedBadly: Set<Int64>) {
        dependencies.endedBadly = endedBadly
        for r in waiting {
            let spec = spec(of: r)
            var pending = Set<Int64>()
            var failedDep: (Int64, TaskState)?
            for d in spec.after {
                switch dependencyState(d) {
                case .pending?: pending.insert(d)
                case .failed(let s)?: if failedDep == nil { failedDep = (d, s) }
                default: break
                }
            }
            if spec.afterOk, let (d, s) = failedDep {
                finish(r.id, .failed, reason: "dependency \(d) ended \(s.rawValue) (after_ok)")
            } else if pending.isEmpty {
                setState(r.id, .ready, reason: "dependencies ended")
                scheduler.enqueue(r.id, request: spec.request, priority: r.priority, time: spec.timeRequest, estimates: spec.qpuEstimates)
            } else {
                dependencies.waitingOn[r.id] = pending
                for d in pending { dependencies.dependents[d, default: []].append(r.id) }
            }
        }
    }
}

/// One ended task to submit again: its id and its concrete spec (array index applied).
public struct ResubmitItem: Sendable {
    public var id: Int64
    public var spec: TaskSpec
    public init(id: Int64, spec: TaskSpec) { self.id = id; self.spec = spec }
}
