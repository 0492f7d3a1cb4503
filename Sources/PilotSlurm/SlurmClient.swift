/// The operations the pilot manager needs from Slurm. `LibSlurmClient` talks
/// to a real controller; `FakeSlurmClient` lets tests script job lifecycles.
public protocol SlurmClient: Sendable {
    func submit(_ job: BatchJobRequest) throws(SlurmError) -> SlurmJobID
    /// nil once the controller has forgotten the job (after `MinJobAge`) or never knew it.
    func job(_ id: SlurmJobID) throws(SlurmError) -> SlurmJobInfo?
    /// Jobs the controller still knows, in the order of `ids`; unknown ids are left out.
    func jobs(_ ids: [SlurmJobID]) throws(SlurmError) -> [SlurmJobInfo]
    /// `signal == nil` cancels the job (like `scancel`); otherwise the signal is
    /// sent to all job steps (like `scancel -s SIG`), not the batch shell.
    func cancel(_ id: SlurmJobID, signal: Int32?) throws(SlurmError)
    func version() throws(SlurmError) -> String
    func expandHostlist(_ s: String) throws(SlurmError) -> [String]
}
