import ServiceLifecycle

/// Follows the Slurm state of unfinished pilots; does nothing (and never opens Slurm) without pilots.
struct PilotPoller: Service {
    let core: ManagerCore
    let interval: Double

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(Int(max(0.05, interval) * 1000)))
                await core.pollPilots()
            }
        }
    }
}
