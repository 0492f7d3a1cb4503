import Dispatch
import Foundation
import PilotLaunch
import Synchronization

/// Runs one process to its end for code inside a task, such as QRMI's task runner under a
/// quantum kernel: the same launcher command tasks use (own session, parent-death signal, time
/// limit with SIGTERM then SIGKILL), awaited without holding a thread. Cancelling the awaiting
/// task ends the process the way a cancelled command task ends: SIGTERM to its process group,
/// SIGKILL after the grace period.
public final class ProcessRunner: Sendable {
    private struct State {
        var nextToken: UInt64 = 1
        var waiting: [UInt64: CheckedContinuation<Result<ProcessExit, LaunchError>, Never>] = [:]
        /// Being started or running: a cancellation signals these.
        var live: Set<UInt64> = []
        var cancelled: Set<UInt64> = []
    }

    private final class Shared: Sendable {
        let state = Mutex(State())
    }

    private let shared: Shared
    private let launcher: ProcessLauncher

    public init() {
        let shared = Shared()
        self.shared = shared
        launcher = ProcessLauncher(onExit: { exits in
            let ready = shared.state.withLock { s in
                exits.compactMap { e in
                    s.live.remove(e.token)
                    s.cancelled.remove(e.token)
                    return s.waiting.removeValue(forKey: e.token).map { ($0, e.exit) }
                }
            }
            for (continuation, exit) in ready { continuation.resume(returning: .success(exit)) }
        })
    }

    deinit { launcher.shutdown() }

    /// Starts `spec` and returns how it ended. Start failures (no such executable...) throw.
    public func run(_ spec: SpawnSpec) async throws(LaunchError) -> ProcessExit {
        let token = shared.state.withLock { s in
            defer { s.nextToken += 1 }
            s.live.insert(s.nextToken)
            return s.nextToken
        }
        let grace = spec.killGrace
        let result: Result<ProcessExit, LaunchError> = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                shared.state.withLock { $0.waiting[token] = continuation }
                do throws(LaunchError) {
                    _ = try launcher.spawn(spec, token: token)
                } catch {
                    let waiting = shared.state.withLock { s in
                        s.live.remove(token)
                        s.cancelled.remove(token)
                        return s.waiting.removeValue(forKey: token)
                    }
                    waiting?.resume(returning: .failure(error))
                    return
                }
                // Cancelled while it was being started: the handler's signal may have come before
                // the launcher knew the token.
                if shared.state.withLock({ $0.cancelled.contains(token) && $0.live.contains(token) }) { stop(token, grace: grace) }
            }
        } onCancel: {
            let live = shared.state.withLock { s in
                s.cancelled.insert(token)
                return s.live.contains(token)
            }
            if live { stop(token, grace: grace) }
        }
        return try result.get()
    }

    private func stop(_ token: UInt64, grace: Duration) {
        launcher.signal(token: token, SIGTERM)
        let launcher = self.launcher
        let shared = self.shared
        DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(Int(grace.components.seconds * 1_000_000_000
                + grace.components.attoseconds / 1_000_000_000))) {
            // Only while it still runs: a token is never reused, so this cannot reach another process.
            if shared.state.withLock({ $0.live.contains(token) }) { launcher.signal(token: token, SIGKILL) }
        }
    }
}
