import PilotCore
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
            try Prescan.check(text: text, file: file, options: options)
            let root = try parse()
            var budget = options.maxNodes
            try measure(root, depth: 0, budget: &budget)
            let top = Cursor(node: root, path: "", keyMark: nil)
            guard case .mapping = root else {
                throw fail(.notMapping, "the top level must be a mapping with 'version' and 'stages', got \(describe(root))",
                           at: root.mark, field: nil)
            }
            return try workflow(top)
        }

        private func parse() throws(WorkflowError) -> Node {
            let node: Node?
            do {
                let parser = try Parser(yaml: text, resolver: .basic, constructor: .default, encoding: .utf8)
                node = try parser.singleRoot()
            } catch let e as YamlError {
                throw translate(e)
            } catch {
                throw WorkflowError(.syntax, "cannot parse: \(error)", file: file)
            }
            guard let node else { throw WorkflowError(.empty, "the file is empty", file: file, line: 1, column: 1) }
            if case .scalar(let s) = node, ScalarKind(s) == .null {
                throw WorkflowError(.empty, "the file is empty", file: file, line: 1, column: 1)
            }
            return node
        }

        private func translate(_ e: YamlError) -> WorkflowError {
            switch e {
            case .scanner(let context, let problem, let mark, _),
                 .parser(let context, let problem, let mark, _),
                 .composer(let context, let problem, let mark, _):
                var msg = "YAML syntax error: \(problem)"
                if let context { msg += " (\(context.text) at line \(context.mark.line), column \(context.mark.column))" }
                return WorkflowError(.syntax, msg, file: file, line: mark.line, column: mark.column)
            case .reader(let problem, let offset, _, _):
                var line: Int?
                if let offset { line = text.utf8.prefix(offset).reduce(1) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 } }
                return WorkflowError(.syntax, "cannot read the file: \(problem)", file: file, line: line)
            case .duplicatedKeysInMapping(let duplicates, let context):
                return DuplicateKeyLocator(text: text).error(keys: duplicates, firstMark: context.mark, file: file)
            default:
                return WorkflowError(.syntax, "cannot parse: \(e)", file: file)
            }
        }

        private func measure(_ node: Node, depth: Int, budget: inout Int) throws(WorkflowError) {
            budget -= 1
            guard budget >= 0 else {
                throw fail(.tooLarge, "the document has more than \(options.maxNodes) nodes once aliases are expanded",
                           at: node.mark, field: nil)
            }
            guard depth <= options.maxDepth else {
                throw fail(.tooDeep, "the document nests deeper than \(options.maxDepth) levels", at: node.mark, field: nil)
            }
            switch node {
            case .scalar, .alias: break
            case .sequence(let s): for n in s { try measure(n, depth: depth + 1, budget: &budget) }
            case .mapping(let m):
                for (k, v) in m {
                    try measure(k, depth: depth + 1, budget: &budget)
                    try measure(v, depth: depth + 1, budget: &budget)
                }
            }
        }
    }
}
