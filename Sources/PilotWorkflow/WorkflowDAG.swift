/// The stages of a workflow and their dependencies, with each stage's run state.
///
/// Value type and deterministic: ties in the topological order and in the ready set are broken by
/// declaration order, so replaying the same events yields the same actions.
public struct WorkflowDAG: Sendable, Hashable, Codable {
    public private(set) var names: [String]
    /// `needs[k]`: indices of the stages stage k waits for.
    private var needs: [[Int]]
    /// `dependents[k]`: indices of the stages waiting for stage k.
    private var dependents: [[Int]]
    private var index: [String: Int]
    public private(set) var states: [StageState]
    /// Stage indices in a dependency-respecting order.
    private var order: [Int]

    /// - Throws: `WorkflowError` `.unknownStage` for a dependency that names no stage, `.cycle`
    ///   naming the cycle's path (`a → b → a`) with `field` set to `stages.<first>.needs`.
    public init(stages: [(name: String, needs: [String])]) throws(WorkflowError) {
        names = stages.map(\.name)
        var idx: [String: Int] = [:]
        for (k, n) in names.enumerated() {
            guard idx[n] == nil else { throw WorkflowError(.invalidValue, "stage '\(n)' is defined twice", field: "stages.\(n)") }
            idx[n] = k
        }
        index = idx
        var nd: [[Int]] = []
        var dep = [[Int]](repeating: [], count: names.count)
        for (k, s) in stages.enumerated() {
            var list: [Int] = []
            for n in s.needs {
                guard let j = idx[n] else {
                    throw WorkflowError(.unknownStage, "unknown stage '\(n)'", field: "stages.\(s.name).needs")
                }
                if !list.contains(j) { list.append(j); dep[j].append(k) }
            }
            nd.append(list)
        }
        needs = nd
        dependents = dep
        states = Array(repeating: .pending, count: names.count)
        order = []
        if let cycle = Self.findCycle(needs: nd) {
            let path = (cycle + [cycle[0]]).map { names[$0] }.joined(separator: " → ")
            throw WorkflowError(.cycle, "dependency cycle: \(path)", field: "stages.\(names[cycle[0]]).needs")
        }
        order = Self.kahn(needs: nd, dependents: dep)
    }

    /// Depth-first search with colours; returns the stages on the first cycle found, in need order.
    private static func findCycle(needs: [[Int]]) -> [Int]? {
        var colour = [UInt8](repeating: 0, count: needs.count) // 0 new, 1 on stack, 2 done
        var stack: [(node: Int, next: Int)] = []
        for root in needs.indices where colour[root] == 0 {
            stack.append((root, 0))
            colour[root] = 1
            while let top = stack.last {
                if top.next < needs[top.node].count {
                    let child = needs[top.node][top.next]
                    stack[stack.count - 1].next += 1
                    if colour[child] == 1 {
                        let start = stack.firstIndex { $0.node == child }!
                        return stack[start...].map(\.node)
                    }
                    if colour[child] == 0 {
                        colour[child] = 1
                        stack.append((child, 0))
                    }
                } else {
                    colour[top.node] = 2
                    stack.removeLast()
                }
            }
        }
        return nil
    }

    private static func kahn(needs: [[Int]], dependents: [[Int]]) -> [Int] {
        var remaining = needs.map(\.count)
        var out: [Int] = []
        var ready = remaining.indices.filter { remaining[$0] == 0 }
        while !ready.isEmpty {
            let k = ready.removeFirst()
            out.append(k)
            for d in dependents[k] {
                remaining[d] -= 1
                if remaining[d] == 0 {
                    let pos = ready.firstIndex { $0 > d } ?? ready.endIndex
                    ready.insert(d, at: pos)
                }
            }
        }
        return out
    }

    public var topologicalOrder: [String] { order.map { names[$0] } }

    public func state(of name: String) -> StageState? { index[name].map { states[$0] } }

    public func needs(of name: String) -> [String] { index[name].map { needs[$0].map { names[$0] } } ?? [] }

    public func dependents(of name: String) -> [String] { index[name].map { dependents[$0].map { names[$0] } } ?? [] }

    /// Pending stages all of whose dependencies are done, in declaration order.
    public var readyStages: [String] {
        names.indices.filter { k in
            states[k] == .pending && needs[k].allSatisfy { states[$0] == .done }
        }.map { names[$0] }
    }

    /// The same question for a caller that keeps its own record of finished stages.
    public func readyStages(done: Set<String>, started: Set<String> = []) -> [String] {
        names.indices.filter { k in
            !done.contains(names[k]) && !started.contains(names[k]) && needs[k].allSatisfy { done.contains(names[$0]) }
        }.map { names[$0] }
    }

    public var isFinished: Bool { states.allSatisfy(\.isFinished) }
    public var succeeded: Bool { states.allSatisfy { $0 == .done } }
    public var failedStages: [String] { names.indices.filter { states[$0].isFailed }.map { names[$0] } }

    public mutating func markRunning(_ name: String) throws(WorkflowError) {
        let k = try lookup(name)
        guard states[k] == .pending, needs[k].allSatisfy({ states[$0] == .done }) else {
            throw WorkflowError(.invalidEvent, "stage '\(name)' cannot start: it is \(states[k]) or waits for a dependency")
        }
        states[k] = .running
    }

    public mutating func markDone(_ name: String) throws(WorkflowError) {
        let k = try lookup(name)
        guard states[k] == .running else { throw WorkflowError(.invalidEvent, "stage '\(name)' is not running") }
        states[k] = .done
    }

    /// Fails `name` and every transitive dependent that has not finished; returns the dependents
    /// failed here, in topological order, each with reason "dependency X failed".
    @discardableResult
    public mutating func markFailed(_ name: String, reason: String) throws(WorkflowError) -> [String] {
        let k = try lookup(name)
        guard !states[k].isFinished else { throw WorkflowError(.invalidEvent, "stage '\(name)' has already finished") }
        states[k] = .failed(reason: reason, dependency: nil)
        var hit = Set<Int>()
        var queue = [k]
        while let j = queue.popLast() {
            for d in dependents[j] where !hit.contains(d) && !states[d].isFinished {
                hit.insert(d)
                queue.append(d)
            }
        }
        var out: [String] = []
        for j in order where hit.contains(j) {
            states[j] = .failed(reason: "dependency \(name) failed", dependency: name)
            out.append(names[j])
        }
        return out
    }

    /// Puts failed stages back to pending so a rerun repeats only them: the stages that failed
    /// themselves and the dependents their failure took down. Done stages stay done.
    /// Returns the reset stages in topological order.
    @discardableResult
    public mutating func retryFailed() -> [String] {
        var out: [String] = []
        for k in order where states[k].isFailed {
            states[k] = .pending
            out.append(names[k])
        }
        return out
    }

    /// Retries one failed stage and the dependents its failure took down (and nothing else).
    @discardableResult
    public mutating func retry(_ name: String) throws(WorkflowError) -> [String] {
        let k = try lookup(name)
        guard case .failed(_, let dependency) = states[k] else {
            throw WorkflowError(.invalidEvent, "stage '\(name)' has not failed")
        }
        if let dependency { throw WorkflowError(.invalidEvent, "stage '\(name)' failed because \(dependency) failed; retry \(dependency)") }
        var out: [String] = []
        for j in order {
            if j == k { states[j] = .pending; out.append(names[j]); continue }
            if case .failed(_, let dep?) = states[j], dep == name { states[j] = .pending; out.append(names[j]) }
        }
        return out
    }

    private func lookup(_ name: String) throws(WorkflowError) -> Int {
        guard let k = index[name] else { throw WorkflowError(.unknownStage, "unknown stage '\(name)'") }
        return k
    }
}
