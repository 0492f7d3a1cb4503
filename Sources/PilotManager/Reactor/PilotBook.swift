/// The manager's pilots and their allocation queues.
struct PilotBook: Sendable {
    var records: [String: PilotRecord] = [:]
    var nextNumber = 1
    /// Polls out (one per cluster), so a slow controller never stacks polls up.
    var pollsOut = 0
    var polling: Bool { pollsOut > 0 }
    var lastPoll: Double = -.infinity
    var autoscale = Autoscale()
    var lastPollError: String?
    /// API requests waiting for Slurm's answer to their pilot's submission.
    var submissions: [String: ReplyID] = [:]

    var unfinished: [PilotRecord] { records.values.filter { !$0.state.isFinal }.sorted { $0.submittedAt < $1.submittedAt } }
}

extension PilotBook {
    /// Autoscaling state lives beside the pilots it creates.
    struct Autoscale: Sendable {
        var queues: [Int: AllocQueue] = [:]
        var nextQueueID = 1
        /// When each running autoscaled pilot last had no task, for the idle timeout.
        var idleSince: [String: Double] = [:]
        /// Pilots whose start (or failure to start) has been counted for their queue.
        var settled: Set<String> = []
    }
}
