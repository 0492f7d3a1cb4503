import PilotSlurm

/// The manager's pilots and its Slurm connection, created on first use.
struct PilotBook {
    var records: [String: PilotRecord] = [:]
    var nextNumber = 1
    var loaded = false
    var client: (any SlurmClient)?
    let worker = SlurmWorker()
    /// Set while a poll runs, so a slow controller never stacks polls up.
    var polling = false
    var autoscale = Autoscale()
    var lastPollError: String?

    var unfinished: [PilotRecord] { records.values.filter { !$0.state.isFinal }.sorted { $0.submittedAt < $1.submittedAt } }
}

extension PilotBook {
    /// Autoscaling state lives beside the pilots it creates.
    struct Autoscale {
        var queues: [Int: AllocQueue] = [:]
        var nextQueueID = 1
        /// When each running autoscaled pilot last had no task, for the idle timeout.
        var idleSince: [String: Double] = [:]
        /// Pilots whose start (or failure to start) has been counted for their queue.
        var settled: Set<String> = []
    }
}
