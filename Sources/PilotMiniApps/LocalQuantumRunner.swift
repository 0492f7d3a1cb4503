import PilotQuantum

/// Runs quantum jobs in this process through the same `QPUExecutor` an agent's kernel uses, so
/// the in-process mini-apps and the task-based drivers see identical semantics (shots, noise,
/// seeds). Jobs run `concurrency` at a time; results come back in job order.
public struct LocalQuantumRunner: Sendable {
    public var device: QPUDeviceProfile
    public var threads: Int
    public var concurrency: Int
    /// Scales the device's modelled latency; 0 runs at simulator speed.
    public var latencyScale: Double

    public init(device: QPUDeviceProfile, threads: Int = 1, concurrency: Int = 1, latencyScale: Double = 0) {
        self.device = device
        self.threads = max(1, threads)
        self.concurrency = max(1, concurrency)
        self.latencyScale = latencyScale
    }

    /// An ideal embedded simulator with no latency, named `name`.
    public static func cpu(name: String = "cpu", threads: Int = 1, concurrency: Int = 1) -> LocalQuantumRunner {
        LocalQuantumRunner(device: QPUDeviceProfile(name: name, qubits: 30), threads: threads, concurrency: concurrency)
    }

    /// Runs one job; its `device` is replaced by this runner's device.
    public func run(_ job: QuantumJob) async throws(MiniAppError) -> QuantumResult {
        var job = job
        job.device = device.name
        do {
            return try await QPUExecutor.run(job, on: device, threads: threads, latencyScale: latencyScale)
        } catch {
            throw MiniAppError.simulation(error, "job on \(device.name)")
        }
    }

    public func run(_ jobs: [QuantumJob]) async throws(MiniAppError) -> [QuantumResult] {
        if concurrency == 1 || jobs.count <= 1 {
            var out: [QuantumResult] = []
            out.reserveCapacity(jobs.count)
            for j in jobs { out.append(try await run(j)) }
            return out
        }
        let outcome: Result<[QuantumResult], MiniAppError> = await withTaskGroup(of: (Int, Result<QuantumResult, MiniAppError>).self) { group in
            var slots = [Result<QuantumResult, MiniAppError>?](repeating: nil, count: jobs.count)
            var next = 0
            func launch(_ i: Int) {
                group.addTask {
                    do throws(MiniAppError) { return (i, .success(try await self.run(jobs[i]))) } catch { return (i, .failure(error)) }
                }
            }
            while next < min(concurrency, jobs.count) { launch(next); next += 1 }
            while let (i, r) = await group.next() {
                slots[i] = r
                if next < jobs.count { launch(next); next += 1 }
            }
            var results: [QuantumResult] = []
            for s in slots {
                switch s {
                case .success(let r): results.append(r)
                case .failure(let e): return .failure(e)
                case nil: return .failure(MiniAppError(.simulation, "a job produced no result"))
                }
            }
            return .success(results)
        }
        return try outcome.get()
    }
}
