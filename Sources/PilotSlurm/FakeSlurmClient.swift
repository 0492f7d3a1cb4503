import Foundation

/// In-memory `SlurmClient` for unit tests: jobs only change state when the
/// test calls `advance`, so manager logic can be driven through every
/// lifecycle deterministically.
public final class FakeSlurmClient: SlurmClient, @unchecked Sendable {
    /// A signal delivered through `cancel(_:signal:)`.
    public struct SentSignal: Sendable, Equatable {
        public var job: SlurmJobID
        public var signal: Int32
    }

    // All mutable state is guarded by `lock`; hence @unchecked Sendable.
    private let lock = NSLock()
    private var nextID: UInt32
    private var jobsByID: [SlurmJobID: SlurmJobInfo] = [:]
    private var requests: [(SlurmJobID, BatchJobRequest)] = []
    private var signals: [SentSignal] = []
    private var pendingSubmitErrors: [SlurmError] = []
    private let versionString: String
    private let clock: @Sendable () -> Date

    public init(firstJobID: UInt32 = 1, version: String = "22.05.8-fake",
                clock: @escaping @Sendable () -> Date = { Date() }) {
        self.nextID = firstJobID
        self.versionString = version
        self.clock = clock
    }

    // MARK: SlurmClient

    public func submit(_ job: BatchJobRequest) throws(SlurmError) -> SlurmJobID {
        try job.validate()
        return try locked { () throws(SlurmError) -> SlurmJobID in
            if !pendingSubmitErrors.isEmpty { throw pendingSubmitErrors.removeFirst() }
            let id = SlurmJobID(nextID)
            nextID += 1
            jobsByID[id] = SlurmJobInfo(id: id, name: job.name, state: .pending, stateReason: "None",
                                        nodes: [], nodeCount: job.nodes, submitTime: clock(),
                                        timeLimitMinutes: job.timeLimitMinutes)
            requests.append((id, job))
            return id
        }
    }

    public func job(_ id: SlurmJobID) throws(SlurmError) -> SlurmJobInfo? {
        locked { jobsByID[id] }
    }

    public func jobs(_ ids: [SlurmJobID]) throws(SlurmError) -> [SlurmJobInfo] {
        locked { ids.compactMap { jobsByID[$0] } }
    }

    public func cancel(_ id: SlurmJobID, signal: Int32?) throws(SlurmError) {
        try locked { () throws(SlurmError) in
            guard var info = jobsByID[id] else {
                throw SlurmError(.unknownJob, "job \(id) is unknown to the controller")
            }
            if let signal {
                signals.append(SentSignal(job: id, signal: signal))
                return
            }
            // Like Slurm, cancelling a finished job is not an error and changes nothing.
            guard !info.state.isFinal else { return }
            info.state = .cancelled
            info.endTime = clock()
            info.exitCode = SlurmExitCode(status: 0, signal: 9)
            jobsByID[id] = info
        }
    }

    public func version() throws(SlurmError) -> String { versionString }

    public func expandHostlist(_ s: String) throws(SlurmError) -> [String] {
        try LibSlurmClient.expandHostlist(s)
    }

    // MARK: Test controls

    /// Moves a job to `state`, as the controller would. Entering `.running`
    /// sets the start time and nodes (default: "n1"..."nN" for the requested
    /// node count); entering a final state sets the end time and exit code.
    public func advance(_ id: SlurmJobID, to state: SlurmJobState, nodes: [String]? = nil,
                        reason: String = "None", exitCode: SlurmExitCode? = nil) throws(SlurmError) {
        try locked { () throws(SlurmError) in
            guard var info = jobsByID[id] else {
                throw SlurmError(.unknownJob, "job \(id) is unknown to the fake controller")
            }
            let now = clock()
            info.state = state
            info.stateReason = reason
            if let nodes {
                info.nodes = nodes
                info.nodeCount = nodes.count
            } else if state == .running, info.nodes.isEmpty {
                info.nodes = (1...max(info.nodeCount, 1)).map { "n\($0)" }
            }
            if state == .running, info.startTime == nil { info.startTime = now }
            if state.isFinal {
                info.endTime = now
                info.exitCode = exitCode ?? SlurmExitCode(status: state == .completed ? 0 : 1)
            }
            jobsByID[id] = info
        }
    }

    /// Drops a job, as slurmctld does `MinJobAge` seconds after it ended.
    public func forget(_ id: SlurmJobID) {
        locked { _ = jobsByID.removeValue(forKey: id) }
    }

    /// Makes the next `submit` calls fail with these errors, in order.
    public func failNextSubmissions(with errors: SlurmError...) {
        locked { pendingSubmitErrors.append(contentsOf: errors) }
    }

    /// Every successfully submitted request, in submission order.
    public var submittedRequests: [BatchJobRequest] { locked { requests.map(\.1) } }

    public func request(for id: SlurmJobID) -> BatchJobRequest? {
        locked { requests.first { $0.0 == id }?.1 }
    }

    public var sentSignals: [SentSignal] { locked { signals } }

    private func locked<T>(_ body: () throws(SlurmError) -> T) throws(SlurmError) -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    private func locked<T>(_ body: () -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body()
    }
}
