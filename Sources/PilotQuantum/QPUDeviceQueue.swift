/// Admits at most `profile.maxConcurrentJobs` jobs onto one device at a time, first come first
/// served, so an agent that shares a device between tasks sees the queueing a real device would
/// impose. Waiting time shows up in the result's `queueWaitSeconds`.
public actor QPUDeviceQueue {
    public nonisolated let profile: QPUDeviceProfile
    private var running = 0
    private var waiters: [(id: UInt64, continuation: CheckedContinuation<Bool, Never>)] = []
    private var nextID: UInt64 = 0

    public init(profile: QPUDeviceProfile) {
        self.profile = profile
    }

    public var activeJobs: Int { running }
    public var waitingJobs: Int { waiters.count }

    public func run(_ job: QuantumJob, threads: Int, latencyScale: Double = 1.0) async throws(QuantumError) -> QuantumResult {
        let start = ContinuousClock.now
        try await acquire()
        defer { release() }
        var result = try await QPUExecutor.run(job, on: profile, threads: threads, latencyScale: latencyScale)
        let waited = start.duration(to: ContinuousClock.now) - .seconds(result.timings.totalSeconds)
        let extra = Double(waited.components.seconds) + Double(waited.components.attoseconds) * 1e-18
        if extra > 0 {
            result.timings.queueWaitSeconds += extra
            result.timings.totalSeconds += extra
        }
        return result
    }

    private func acquire() async throws(QuantumError) {
        if running < profile.maxConcurrentJobs {
            running += 1
            return
        }
        nextID += 1
        let id = nextID
        let admitted = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                if Task.isCancelled {
                    continuation.resume(returning: false)
                } else {
                    waiters.append((id, continuation))
                }
            }
        } onCancel: {
            Task { await self.cancelWaiter(id) }
        }
        guard admitted else { throw QuantumError(.cancelled, "job cancelled while queued for device '\(profile.name)'") }
    }

    private func cancelWaiter(_ id: UInt64) {
        if let index = waiters.firstIndex(where: { $0.id == id }) {
            waiters.remove(at: index).continuation.resume(returning: false)
        }
    }

    /// Hands the slot straight to the next waiter, so `running` never drops below the demand.
    private func release() {
        if waiters.isEmpty {
            running -= 1
        } else {
            waiters.removeFirst().continuation.resume(returning: true)
        }
    }
}
