/// The run-time facts a workflow's templates and seeds are expanded against.
public struct WorkflowContext: Sendable, Hashable, Codable {
    /// The run's identifier, substituted for `{{workflow.id}}`.
    public var id: String
    /// The run's output directory, substituted for `{{workflow.dir}}`; stage outputs live in `<dir>/<stage>`.
    public var dir: String
    /// Root of every derived random seed, so a rerun with the same seed generates the same tasks.
    public var seed: UInt64

    public init(id: String, dir: String, seed: UInt64) {
        self.id = id
        self.dir = dir
        self.seed = seed
    }

    /// `{{stages.NAME.outputs}}`.
    public func outputs(of stage: String) -> String {
        dir.hasSuffix("/") ? dir + stage : dir + "/" + stage
    }
}
