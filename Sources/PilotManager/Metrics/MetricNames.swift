import Prometheus

/// Every metric the manager exports, by name, with the buckets of its histograms. The names are the
/// contract with dashboards and alert rules (`Clients/grafana/swiftpilot-dashboard.json`): rename
/// one only together with them.
enum MetricNames {
    // Tasks
    static let tasks = "swiftpilot_tasks"
    static let submitted = "swiftpilot_tasks_submitted_total"
    static let bound = "swiftpilot_tasks_bound_total"
    static let started = "swiftpilot_tasks_started_total"
    static let finished = "swiftpilot_tasks_finished_total"
    static let failed = "swiftpilot_tasks_failed_total"
    static let retried = "swiftpilot_tasks_retried_total"
    static let canceled = "swiftpilot_tasks_canceled_total"
    static let queueWait = "swiftpilot_task_queue_wait_seconds"
    static let bindLatency = "swiftpilot_task_bind_latency_seconds"
    static let runtime = "swiftpilot_task_runtime_seconds"

    // Resources
    static let agents = "swiftpilot_agents"
    static let pilots = "swiftpilot_pilots"
    static let coresFree = "swiftpilot_pilot_cores_free"
    static let coresUsed = "swiftpilot_pilot_cores_used"
    static let gpusFree = "swiftpilot_pilot_gpus_free"
    static let gpusUsed = "swiftpilot_pilot_gpus_used"
    static let clusterPilots = "swiftpilot_cluster_pilots"
    static let clusterAgents = "swiftpilot_cluster_agents"

    // QPU devices
    static let leasesInUse = "swiftpilot_qpu_leases_in_use"
    static let leaseLimit = "swiftpilot_qpu_lease_limit"
    static let leasesAcquired = "swiftpilot_qpu_leases_acquired_total"
    static let qpuQueueWait = "swiftpilot_qpu_queue_wait_seconds"
    static let qpuExecution = "swiftpilot_qpu_execution_seconds"

    // Manager
    static let commitLatency = "swiftpilot_store_commit_seconds"
    static let journalPublished = "swiftpilot_journal_records_published_total"
    static let subscribers = "swiftpilot_event_stream_subscribers"
    static let journalRows = "swiftpilot_journal_rows"
    static let journalLastSeq = "swiftpilot_journal_last_seq"
    static let storeBytes = "swiftpilot_store_bytes"
    static let inboxBacklog = "swiftpilot_reactor_inbox_backlog"
    static let feedBacklog = "swiftpilot_metrics_feed_backlog"

    /// Every name above: what the dashboard may refer to.
    static let all: Set<String> = [
        tasks, submitted, bound, started, finished, failed, retried, canceled, queueWait, bindLatency, runtime,
        agents, pilots, coresFree, coresUsed, gpusFree, gpusUsed, clusterPilots, clusterAgents,
        leasesInUse, leaseLimit, leasesAcquired, qpuQueueWait, qpuExecution,
        commitLatency, journalPublished, subscribers, journalRows, journalLastSeq, storeBytes, inboxBacklog, feedBacklog,
    ]

    /// `# HELP` text of each metric. swift-metrics has no place for it (and swift-prometheus refuses
    /// two different help texts for one name), so the exposition gets these lines added at render.
    static let help: [String: String] = [
        tasks: "Tasks per state, as /v1/summary counts them.",
        submitted: "Tasks submitted since the manager started.",
        bound: "Task attempts bound to slots.",
        started: "Task attempts that started running.",
        finished: "Tasks that ended done.",
        failed: "Tasks that ended failed (after their retries).",
        retried: "Task attempts put back in the queue (retry, drain, lost agent).",
        canceled: "Tasks canceled.",
        queueWait: "Ready to bound, per attempt.",
        bindLatency: "Bound to started.",
        runtime: "Started to ended, by outcome.",
        agents: "Agents per state.",
        pilots: "Pilots per Slurm state.",
        coresFree: "Idle cores per pilot and its cluster (pilot=none, cluster=none: agents outside pilots).",
        clusterPilots: "Pilots per Slurm cluster and state.",
        clusterAgents: "Agents in pilots per Slurm cluster and state (cluster=none: agents outside pilots).",
        coresUsed: "Busy cores per pilot.",
        gpusFree: "Idle GPUs per pilot.",
        gpusUsed: "Busy GPUs per pilot.",
        leasesInUse: "QPU-proxy leases held per device.",
        leaseLimit: "QPU-proxy slots per device.",
        leasesAcquired: "QPU-proxy leases granted per device.",
        qpuQueueWait: "Queue wait of tasks bound to a lease on the device.",
        qpuExecution: "Started to ended of tasks holding a lease on the device.",
        commitLatency: "Duration of one group commit of the store writer.",
        journalPublished: "Journal records committed since the manager started.",
        subscribers: "Live journal subscriptions (event streams and log follows).",
        journalRows: "Journal records kept in the store.",
        journalLastSeq: "Last journal sequence number committed.",
        storeBytes: "Database and write-ahead log bytes on disk.",
        inboxBacklog: "Events waiting for the reactor.",
        feedBacklog: "Committed journal records not yet counted.",
    ]

    /// Waits range from a free slot (well under a millisecond) to a queue that drains over hours.
    static let waitBuckets: [Duration] = [
        .microseconds(100), .milliseconds(1), .milliseconds(5), .milliseconds(25), .milliseconds(100),
        .milliseconds(500), .seconds(1), .seconds(5), .seconds(30), .seconds(120), .seconds(600), .seconds(3600),
    ]
    /// Runtimes: null tasks take microseconds, real ones up to the walltime.
    static let runtimeBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(10), .milliseconds(100), .seconds(1), .seconds(10), .seconds(60),
        .seconds(300), .seconds(1800), .seconds(3600), .seconds(4 * 3600), .seconds(24 * 3600),
    ]
    /// A group commit takes a fraction of a millisecond on a quiet SSD and seconds on a struggling file system.
    static let commitBuckets: [Duration] = [
        .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2),
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(100), .milliseconds(500), .seconds(2),
    ]

    /// The factory every manager metric is made through, with each histogram's buckets.
    static func factory(registry: PrometheusCollectorRegistry) -> PrometheusMetricsFactory {
        var f = PrometheusMetricsFactory(registry: registry)
        f.durationHistogramBuckets = [
            queueWait: waitBuckets, bindLatency: waitBuckets, qpuQueueWait: waitBuckets,
            runtime: runtimeBuckets, qpuExecution: runtimeBuckets,
            commitLatency: commitBuckets,
        ]
        return f
    }
}
