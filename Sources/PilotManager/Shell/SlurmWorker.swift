import Dispatch
import Foundation
import PilotProtocol
import PilotSlurm

/// Carries out the reactor's Slurm requests on one dedicated thread. libslurm calls block (an RPC
/// to slurmctld, up to its `MessageTimeout`), so they stay off the reactor and every event loop.
final class SlurmWorker: @unchecked Sendable {
    private let queue = DispatchQueue(label: "swiftpilot.slurm")
    private let config: ManagerConfig
    /// Created on first use: a manager without pilots never opens Slurm.
    private var client: (any SlurmClient)?
    /// One per other cluster a profile named; Slurm's commands with that cluster's configuration.
    private var clusterClients: [SlurmCluster: any SlurmClient] = [:]

    init(config: ManagerConfig) {
        self.config = config
        client = config.slurm
    }

    func perform(_ req: SlurmRequest, post: @escaping @Sendable (ManagerEvent) -> Void) {
        queue.async { [self] in
            switch req {
            case .submit(let p):
                post(.slurmSubmitted(pilot: p.pilot, Result { () throws(SlurmError) in try submit(p) }))
            case .cancel(let pilot, let job, let cluster, let reply):
                do {
                    try slurmClient(cluster).cancel(job, signal: nil)
                    post(.slurmCancelled(pilot: pilot, error: nil, reply: reply))
                } catch { post(.slurmCancelled(pilot: pilot, error: error as? SlurmError ?? SlurmError(.cancelFailed, "\(error)"), reply: reply)) }
            case .poll(let jobs, let cluster):
                do { post(.slurmStates(try slurmClient(cluster).jobs(jobs), asked: jobs, cluster: cluster)) } catch {
                    let on = cluster.map { " on \($0)" } ?? ""
                    post(.slurmPollFailed("reading pilot states from Slurm\(on) failed: \(error)"))
                }
            }
        }
    }

    private func slurmClient(_ cluster: SlurmCluster? = nil) throws(SlurmError) -> any SlurmClient {
        if let cluster {
            if let c = clusterClients[cluster] { return c }
            let c = config.pilots.makeClusterClient(cluster)
            clusterClients[cluster] = c
            return c
        }
        if let c = client { return c }
        let c = try config.pilots.makeClient()
        client = c
        return c
    }

    /// Renders the job script with the pilot's id and submits it.
    private func submit(_ p: PreparedPilot) throws(SlurmError) -> SlurmJobID {
        let prepared: PilotJob
        do { prepared = try PilotJob.prepare(p.profilePath, overrides: p.overrides, pilot: p.pilot, config: config) } catch {
            throw SlurmError(.invalidRequest, error.message)
        }
        return try slurmClient(prepared.effective.cluster).submit(prepared.request)
    }

    /// Runs a blocking preparation on the Slurm thread.
    func run<T: Sendable>(_ body: @escaping @Sendable () throws(ManagerError) -> T) async throws(ManagerError) -> T {
        let result: Result<T, ManagerError> = await withCheckedContinuation { c in
            queue.async { c.resume(returning: Result { () throws(ManagerError) -> T in try body() }) }
        }
        return try result.get()
    }
}
