import CSlurm
import Foundation

/// `SlurmClient` backed by libslurm RPCs to the controller named in slurm.conf.
public final class LibSlurmClient: SlurmClient {
    /// Where the configuration came from: a slurm.conf, or slurmctld itself (configless).
    public let configSource: SlurmConfigSource
    /// The slurm.conf this client uses; nil in configless mode.
    public var configPath: String? { configSource.path }

    /// Initialises libslurm on first use. Throws `.configurationMissing`, naming
    /// every source tried, instead of letting `slurm_init` terminate the process.
    public init(configPath: String? = nil, locator: SlurmConfigLocator = SlurmConfigLocator()) throws(SlurmError) {
        configSource = try locator.locate(explicit: configPath)
        try SlurmLibrary.ensureInitialized(configSource)
    }

    /// Version of the libslurm headers this module was built against, e.g. "22.05.8".
    public static var libraryVersion: String {
        let v = Int(SLURM_VERSION_NUMBER)
        return String(format: "%d.%02d.%d", cslurm_version_major(v), cslurm_version_minor(v), cslurm_version_micro(v))
    }

    /// Through libslurm's job descriptor, or through `sbatch` when the request
    /// has options the descriptor cannot carry (`job.submissionPath`).
    public func submit(_ job: BatchJobRequest) throws(SlurmError) -> SlurmJobID {
        try job.validate()
        if case .cluster(let c) = job.submissionPath {
            return try SbatchCommand().submit(job, slurmConf: c.slurmConf)
        }
        if case .sbatch = job.submissionPath {
            return try SbatchCommand().submit(job, slurmConf: configSource.pathForJobs)
        }
        return try SlurmLibrary.withLock { () throws(SlurmError) -> SlurmJobID in
            let arena = CStringArena()
            // desc holds raw pointers into the arena; keep it alive on every path out.
            defer { withExtendedLifetime(arena) {} }
            var desc = job_desc_msg_t()
            slurm_init_job_desc_msg(&desc)
            fill(&desc, from: job, arena: arena)
            var response: UnsafeMutablePointer<submit_response_msg_t>?
            let rc = slurm_submit_batch_job(&desc, &response)
            defer { if let response { slurm_free_submit_response_response_msg(response) } }
            guard rc == SLURM_SUCCESS, let response else {
                let (code, text) = SlurmLibrary.lastError()
                throw SlurmError(.submitFailed, "submitting job '\(job.name)' failed", slurmErrno: code,
                                 slurmErrorText: text)
            }
            return SlurmJobID(response.pointee.job_id)
        }
    }

    public func job(_ id: SlurmJobID) throws(SlurmError) -> SlurmJobInfo? {
        try SlurmLibrary.withLock { () throws(SlurmError) -> SlurmJobInfo? in
            var message: UnsafeMutablePointer<job_info_msg_t>?
            let rc = slurm_load_job(&message, id.rawValue, UInt16(SHOW_DETAIL))
            defer { if let message { slurm_free_job_info_msg(message) } }
            guard rc == SLURM_SUCCESS, let message else {
                let (code, text) = SlurmLibrary.lastError()
                if code == ESLURM_INVALID_JOB_ID.rawValue { return nil }
                throw SlurmError(.queryFailed, "loading job \(id) failed", slurmErrno: code, slurmErrorText: text)
            }
            return Self.infos(from: message).first { $0.id == id }
        }
    }

    public func jobs(_ ids: [SlurmJobID]) throws(SlurmError) -> [SlurmJobInfo] {
        if ids.isEmpty { return [] }
        if ids.count == 1 { return try job(ids[0]).map { [$0] } ?? [] }
        // One RPC for all jobs beats one per id once a manager tracks many pilots.
        let all = try SlurmLibrary.withLock { () throws(SlurmError) -> [SlurmJobInfo] in
            var message: UnsafeMutablePointer<job_info_msg_t>?
            let rc = slurm_load_jobs(0, &message, UInt16(SHOW_DETAIL | SHOW_ALL))
            defer { if let message { slurm_free_job_info_msg(message) } }
            guard rc == SLURM_SUCCESS, let message else {
                let (code, text) = SlurmLibrary.lastError()
                throw SlurmError(.queryFailed, "loading jobs failed", slurmErrno: code, slurmErrorText: text)
            }
            return Self.infos(from: message)
        }
        let byID = Dictionary(all.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        return ids.compactMap { byID[$0] }
    }

    public func cancel(_ id: SlurmJobID, signal: Int32?) throws(SlurmError) {
        try SlurmLibrary.withLock { () throws(SlurmError) in
            let sig = UInt16(signal ?? SIGKILL)
            let flags: UInt16 = signal == nil ? 0 : CSLURM_KILL_STEPS_ONLY
            guard slurm_kill_job(id.rawValue, sig, flags) != SLURM_SUCCESS else { return }
            let (code, text) = SlurmLibrary.lastError()
            // Cancelling a job that already ended is what the caller wanted anyway.
            if code == ESLURM_ALREADY_DONE.rawValue { return }
            if code == ESLURM_INVALID_JOB_ID.rawValue {
                throw SlurmError(.unknownJob, "job \(id) is unknown to the controller", slurmErrno: code,
                                 slurmErrorText: text)
            }
            let what = signal.map { "signalling job \(id) with \($0)" } ?? "cancelling job \(id)"
            throw SlurmError(.cancelFailed, "\(what) failed", slurmErrno: code, slurmErrorText: text)
        }
    }

    /// The controller's version: also a cheap check that slurmctld answers.
    public func version() throws(SlurmError) -> String {
        try SlurmLibrary.withLock { () throws(SlurmError) -> String in
            var conf: UnsafeMutablePointer<slurm_conf_t>?
            let rc = slurm_load_ctl_conf(0, &conf)
            defer { if let conf { slurm_free_ctl_conf(conf) } }
            guard rc == SLURM_SUCCESS, let conf else {
                let (code, text) = SlurmLibrary.lastError()
                throw SlurmError(.controllerUnreachable, "cannot reach slurmctld (config \(configSource))",
                                 slurmErrno: code, slurmErrorText: text)
            }
            return conf.pointee.version.map { String(cString: $0) } ?? Self.libraryVersion
        }
    }

    public func expandHostlist(_ s: String) throws(SlurmError) -> [String] {
        try Self.expandHostlist(s)
    }
}
