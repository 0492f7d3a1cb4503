import PilotCore
/// A string from the file with placeholders, parsed once when the file is read so that unknown
/// placeholders are reported with their position instead of leaking into a command line.
///
/// Double braces name workflow-level values: `{{workflow.dir}}`, `{{workflow.id}}`,
/// `{{stages.NAME.outputs}}`, `{{stage.name}}`, `{{stage.outputs}}`. Single braces name per-task
/// values: `{i}`, `{params.X}`, `{item}`, `{step}`, `{round}`. Any other single-brace text, such as
/// the shell's `${HOME}` or awk's `{print $1}`, is left alone.
public struct Template: Sendable, Hashable, Codable {
    public enum Segment: Sendable, Hashable, Codable {
        case literal(String)
        case workflowDir
        case workflowID
        case stageOutputs(String)
        case ownName
        case ownOutputs
        case index
        case param(String)
        case item
        case step
        case round
    }

    public let source: String
    public let segments: [Segment]

    /// Per-task names a template may use where it appears.
    public struct Scope: Sendable {
        public var index = false
        public var params: Set<String> = []
        public var item = false
        public var step = false
        public var round = false
        public var stages: Set<String> = []
        public init() {}
    }

    public struct ParseError: Error, Sendable {
        public var code: WorkflowError.Code
        public var message: String
    }

    public init(literal: String) {
        source = literal
        segments = [.literal(literal)]
    }

    public init(parsing text: String, scope: Scope) throws(ParseError) {
        source = text
        var segs: [Segment] = []
        var lit = ""
        var i = text.startIndex
        func flush() { if !lit.isEmpty { segs.append(.literal(lit)); lit = "" } }
        while i < text.endIndex {
            let rest = text[i...]
            if rest.hasPrefix("{{") {
                guard let close = rest.firstRange(of: "}}") else {
                    throw ParseError(code: .invalidValue, message: "'{{' without a closing '}}' in '\(text)'")
                }
                let name = rest[rest.index(i, offsetBy: 2)..<close.lowerBound].trimmed
                flush()
                segs.append(try Self.doubleBrace(name, scope: scope))
                i = close.upperBound
                continue
            }
            if rest.first == "{", let close = rest.firstIndex(of: "}") {
                let name = String(rest[rest.index(after: i)..<close])
                if let seg = try Self.singleBrace(name, scope: scope) {
                    flush()
                    segs.append(seg)
                    i = rest.index(after: close)
                    continue
                }
            }
            lit.append(text[i])
            i = text.index(after: i)
        }
        flush()
        segments = segs
    }

    private static func doubleBrace(_ name: String, scope: Scope) throws(ParseError) -> Segment {
        switch name {
        case "workflow.dir": return .workflowDir
        case "workflow.id": return .workflowID
        case "stage.name": return .ownName
        case "stage.outputs": return .ownOutputs
        default: break
        }
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        if parts.count == 3, parts[0] == "stages", parts[2] == "outputs" {
            let stage = String(parts[1])
            guard scope.stages.contains(stage) else {
                throw ParseError(code: .unknownStage, message: "'{{\(name)}}' names no stage of this workflow"
                                 + (Suggestion.closest(to: stage, in: scope.stages).map { " (did you mean '\($0)'?)" } ?? ""))
            }
            return .stageOutputs(stage)
        }
        throw ParseError(code: .unknownTemplateVariable,
                         message: "unknown template variable '{{\(name)}}' (known: workflow.dir, workflow.id, stage.name, stage.outputs, stages.NAME.outputs)")
    }

    /// nil means "not a placeholder": the text stays literal.
    private static func singleBrace(_ name: String, scope: Scope) throws(ParseError) -> Segment? {
        func unavailable(_ what: String) -> ParseError {
            ParseError(code: .unknownTemplateVariable, message: "'{\(what)}' is not available here")
        }
        switch name {
        case "i": if scope.index { return .index } else { throw unavailable(name) }
        case "item": if scope.item { return .item } else { throw unavailable(name) }
        case "step": if scope.step { return .step } else { throw unavailable(name) }
        case "round": if scope.round { return .round } else { throw unavailable(name) }
        default: break
        }
        guard name.hasPrefix("params.") else { return nil }
        let p = String(name.dropFirst("params.".count))
        guard scope.params.contains(p) else {
            var msg = "'{\(name)}' names no sweep variable"
            if let s = Suggestion.closest(to: p, in: scope.params) { msg += " (did you mean '{params.\(s)}'?)" }
            else if !scope.params.isEmpty { msg += " (known: \(scope.params.sorted().joined(separator: ", ")))" }
            throw ParseError(code: .unknownTemplateVariable, message: msg)
        }
        return .param(p)
    }

    public var isConstant: Bool { segments.allSatisfy { if case .literal = $0 { true } else { false } } }

    /// Values for per-task placeholders; a placeholder without a value is written back as it was,
    /// so a later stage (e.g. a driver substituting `{round}`) can fill it in.
    public struct Bindings: Sendable {
        public var stage: String
        public var index: Int?
        public var params: [String: ParamValue] = [:]
        public var item: ParamValue?
        public var step: String?
        public var round: Int?
        public init(stage: String, index: Int? = nil, params: [String: ParamValue] = [:], item: ParamValue? = nil,
                    step: String? = nil, round: Int? = nil) {
            self.stage = stage
            self.index = index
            self.params = params
            self.item = item
            self.step = step
            self.round = round
        }
    }

    public func render(_ context: WorkflowContext, _ b: Bindings) -> String {
        if segments.count == 1, case .literal(let s) = segments[0] { return s }
        var out = ""
        for seg in segments {
            switch seg {
            case .literal(let s): out += s
            case .workflowDir: out += context.dir
            case .workflowID: out += context.id
            case .stageOutputs(let s): out += context.outputs(of: s)
            case .ownName: out += b.stage
            case .ownOutputs: out += context.outputs(of: b.stage)
            case .index: out += b.index.map(String.init) ?? "{i}"
            case .param(let p): out += b.params[p]?.text ?? "{params.\(p)}"
            case .item: out += b.item?.text ?? "{item}"
            case .step: out += b.step ?? "{step}"
            case .round: out += b.round.map(String.init) ?? "{round}"
            }
        }
        return out
    }
}
