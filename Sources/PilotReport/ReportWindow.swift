/// Which part of a journal a report covers: one workflow, a time window, or both.
public struct ReportWindow: Sendable, Hashable {
    public var workflow: Int64?
    /// Unix seconds; bars are clipped to the window.
    public var since: Double?
    public var until: Double?

    public init(workflow: Int64? = nil, since: Double? = nil, until: Double? = nil) {
        self.workflow = workflow; self.since = since; self.until = until
    }
}
