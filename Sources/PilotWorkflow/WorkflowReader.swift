import PilotCore
import PilotYAML
import Yams

/// Reads and validates a workflow file. Everything is checked before anything runs: a file that
/// reads without error generates its tasks without error (up to the circuit a cutting stage loads).
public struct WorkflowReader: Sendable {
    public struct Options: Sendable {
        /// Larger files are refused before parsing.
        public var maxFileBytes = 8 * 1024 * 1024
        /// Nesting of mappings and lists; deeper documents are refused before they reach the parser.
        public var maxDepth = 64
        /// Nodes visited after aliases are followed, so an alias bomb can't blow up a small file.
        public var maxNodes = 2_000_000
        /// Tasks one stage may generate.
        public var maxTasksPerStage = 10_000_000
        public var maxStages = 10_000
        /// Names accepted for `driver:` besides `command`.
        public var builtinDrivers: Set<String> = ["vqe", "qml"]
        public init() {}
    }

    public var options: Options

    public init(options: Options = Options()) { self.options = options }

    /// - Parameter file: the name used in error messages (and nothing else: no file is opened).
    public func read(yaml text: String, file: String? = nil) throws(WorkflowError) -> Workflow {
        let session = Session(file: file, text: text, options: options)
        return try session.read()
    }

    final class Session {
        let file: String?
        let text: String
        let options: Options
        /// Positions of values by dotted path, to place errors found after a field was read
        /// (e.g. by `ResourceRequest.validate()`).
        var marks: [String: Mark] = [:]

        init(file: String?, text: String, options: Options) {
            self.file = file
            self.text = text
            self.options = options
        }

        func read() throws(WorkflowError) -> Workflow {
            let limits = YAMLLimits(maxBytes: options.maxFileBytes, maxDepth: options.maxDepth, maxNodes: options.maxNodes)
            let top = try yaml { () throws(YAMLError) in try YAMLDocument.parse(text, file: file, limits: limits) }
            guard case .mapping = top.node else {
                throw fail(.notMapping, "the top level must be a mapping with 'version' and 'stages', got \(top.describe)",
                           at: top.mark, field: nil)
            }
            return try workflow(top)
        }
    }
}
