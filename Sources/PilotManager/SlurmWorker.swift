import Dispatch
import PilotSlurm

/// Runs libslurm calls on one dedicated thread. They block (an RPC to slurmctld, up to its
/// `MessageTimeout`), so they stay off the actor and off Swift's small cooperative pool.
final class SlurmWorker: Sendable {
    private let queue = DispatchQueue(label: "swiftpilot.slurm")

    func run<T: Sendable>(_ body: @escaping @Sendable () throws(SlurmError) -> T) async throws(SlurmError) -> T {
        let result: Result<T, SlurmError> = await withCheckedContinuation { c in
            queue.async { c.resume(returning: Result { () throws(SlurmError) -> T in try body() }) }
        }
        return try result.get()
    }
}
