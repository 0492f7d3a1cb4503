import PilotCore
import PilotYAML
import Yams

extension WorkflowReader.Session {
    static let topKeys = ["version", "name", "seed", "defaults", "stages"]
    static let resourceKeys = ["cores", "gpus", "mem", "qpu", "custom"]
    static let settingsKeys = ["time", "time_limit", "priority", "retries", "env", "cwd", "capture_output"]
    static let commonStageKeys = ["motif", "needs", "description", "resources", "max_failures"] + settingsKeys
    static let motifKeys: [Motif: [String]] = [
        .ensemble: ["command", "sweep", "count"],
        .coupled: ["command", "nodes", "ranks_per_node", "cores_per_rank", "gpus_per_rank"],
        .cutting: ["circuit", "max_fragment_qubits", "observables", "shots", "device"],
        .iterative: ["driver", "params", "max_rounds", "command"],
        .pipeline: ["steps", "items"],
    ]
    static let stepKeys = ["name", "command", "resources"] + settingsKeys

    func workflow(_ top: Cursor) throws(WorkflowError) -> Workflow {
        let m = try mapping(top)
        try checkKeys(m, allowed: Self.topKeys)
        let vc = try required(m, "version", what: "use 'version: 1'")
        let version = try int(vc, 0...Int.max)
        guard version == 1 else {
            throw fail(.unsupportedVersion, "unsupported version \(version); this reader understands version 1", at: vc)
        }
        let name = try m["name"].map { c throws(WorkflowError) in try self.name(c, what: "workflow name") } ?? "workflow"
        let seed = try m["seed"].map { c throws(WorkflowError) in UInt64(try int(c, 0...Int.max)) }

        let stagesC = try required(m, "stages", what: "a mapping of stage names to stage definitions")
        let sm = try mapping(stagesC)
        guard !sm.entries.isEmpty else { throw fail(.invalidValue, "a workflow needs at least one stage", at: stagesC) }
        guard sm.entries.count <= options.maxStages else {
            throw fail(.tooLarge, "\(sm.entries.count) stages; at most \(options.maxStages) are allowed", at: stagesC)
        }
        for e in sm.entries { try checkStageName(e) }
        let names = sm.entries.map(\.key)
        var scope = Template.Scope()
        scope.stages = Set(names)

        var defaults = TaskSettings()
        if let dc = m["defaults"] {
            let dm = try mapping(dc)
            try checkKeys(dm, allowed: Self.resourceKeys + Self.settingsKeys)
            defaults = try settings(dm, resourcesFrom: dm, scope: scope)
        }

        var stages: [StageDefinition] = []
        for e in sm.entries { stages.append(try stage(e, scope: scope, defaults: defaults)) }
        try checkNeeds(stages, stagesCursor: sm)
        return Workflow(version: version, name: name, seed: seed, defaults: defaults, stages: stages, file: file)
    }

    private func checkStageName(_ e: MappingView.Entry) throws(WorkflowError) {
        let ok = e.key.count <= 64 && e.key.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }
        guard ok else {
            throw fail(.invalidValue, "stage name '\(e.key)' must be 1-64 ASCII letters, digits, '_' or '-'",
                       at: e.keyMark, field: e.value.path)
        }
    }

    // MARK: Task settings

    /// A task field read through the task-field table: the same range, unit and message as in a
    /// tasks file, on the command line and in the API.
    func field<T>(_ name: String, _ c: Cursor, _ parse: (TaskField, TaskFieldValue, String) throws(CoreError) -> T) throws(WorkflowError) -> T {
        let value = try yaml { () throws(YAMLError) in try c.taskFieldValue() }
        if value == .null { throw wrongType(c, expected: TaskField.named(name)!.typeText) }
        do { return try parse(TaskField.named(name)!, value, c.path) } catch { throw fail(.invalidValue, error.message, at: c) }
    }

    /// Reads settings keys from `m` and resource keys from `r` (the same mapping for `defaults`,
    /// the `resources` sub-mapping for stages and steps).
    func settings(_ m: MappingView, resourcesFrom r: MappingView?, scope: Template.Scope) throws(WorkflowError) -> TaskSettings {
        var s = TaskSettings()
        if let r {
            if let c = r["cores"] { s.cores = try field("cores", c) { f, v, p throws(CoreError) in try f.integer(v, path: p) }; note(c) }
            if let c = r["gpus"] { s.gpus = try field("gpus", c) { f, v, p throws(CoreError) in try f.integer(v, path: p) }; note(c) }
            if let c = r["mem"] { s.memoryBytes = try field("mem", c) { f, v, p throws(CoreError) in try f.bytes(v, path: p) }; note(c) }
            if let c = r["qpu"] {
                s.qpu = try field("qpu", c) { f, v, p throws(CoreError) in try f.qpu(v, path: p) }
                note(c)
            }
            if let c = r["custom"] {
                s.custom = try field("custom", c) { f, v, p throws(CoreError) in try f.amounts(v, path: p) }
                note(c)
            }
        }
        if let c = m["time"] { s.time = try field("time", c) { f, v, p throws(CoreError) in try f.seconds(v, path: p) }; note(c) }
        if let c = m["time_limit"] {
            s.timeLimit = try field("time_limit", c) { f, v, p throws(CoreError) in try f.seconds(v, path: p) }
            if s.timeLimit! <= 0 { throw fail(.invalidValue, "must be longer than 0 seconds", at: c) }
            note(c)
        }
        if let c = m["priority"] { s.priority = try field("priority", c) { f, v, p throws(CoreError) in try f.integer(v, path: p) }; note(c) }
        if let c = m["retries"] { s.retries = try field("retries", c) { f, v, p throws(CoreError) in try f.integer(v, path: p) }; note(c) }
        if let c = m["capture_output"] { s.captureOutput = try field("capture_output", c) { f, v, p throws(CoreError) in try f.bool(v, path: p) } }
        if let c = m["cwd"] { s.workingDirectory = try template(c, scope: scope) }
        if let c = m["env"] {
            // A list is the table's NAME=VALUE form: the table reads it, so it fails as everywhere else.
            if case .sequence = c.node {
                let vars = try field("env", c) { f, v, p throws(CoreError) in try f.variables(v, path: p) }
                s.environment = vars.keys.sorted().map { .init(name: $0, value: Template(literal: vars[$0]!)) }
                return s
            }
            let em = try mapping(c)
            guard em.entries.count <= 1000 else { throw fail(.tooLarge, "at most 1000 environment variables", at: c) }
            var env: [TaskSettings.EnvironmentEntry] = []
            for e in em.entries {
                let valid = e.key.first.map { $0 == "_" || ($0.isASCII && $0.isLetter) } ?? false
                    && e.key.allSatisfy { $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }
                guard valid else {
                    throw fail(.invalidValue, "'\(e.key)' is not a valid environment variable name", at: e.keyMark, field: e.value.path)
                }
                guard case .scalar = e.value.node else { throw wrongType(e.value, expected: "a string") }
                env.append(.init(name: e.key, value: try template(e.value, scope: scope)))
            }
            s.environment = env
        }
        return s
    }

    private func note(_ c: Cursor) { if let m = c.mark { marks[c.path] = m } }

    /// Runs PilotCore's own checks on a representative task, so anything the manager would refuse
    /// is refused here, at the field that caused it.
    func validateTask(_ spec: TaskSpec, stagePath: String, stageMark: Mark?) throws(WorkflowError) {
        do {
            try spec.validate()
        } catch {
            let f = error.field ?? "resources"
            let candidates: [String]
            switch f {
            case "nodes", "ranks_per_node", "time", "time_limit", "retries", "priority", "command":
                candidates = [stagePath + "." + f, "defaults." + f]
            default:
                candidates = [stagePath + ".resources." + f, "defaults." + f, stagePath + ".resources"]
            }
            let hit = candidates.first { marks[$0] != nil }
            throw fail(.invalidValue, error.message, at: hit.flatMap { marks[$0] } ?? stageMark, field: hit ?? candidates[0])
        }
    }

    // MARK: Stages

    func stage(_ e: MappingView.Entry, scope stagesScope: Template.Scope, defaults: TaskSettings) throws(WorkflowError) -> StageDefinition {
        let c = e.value
        let m = try mapping(c)
        let motifC = try required(m, "motif", what: "one of " + Motif.allCases.map(\.rawValue).joined(separator: ", "))
        let motifName = try string(motifC)
        guard let motif = Motif(rawValue: motifName) else {
            var msg = "unknown motif '\(motifName)'"
            if let s = Suggestion.closest(to: motifName, in: Motif.allCases.map(\.rawValue)) { msg += " (did you mean '\(s)'?)" }
            else { msg += " (expected one of: " + Motif.allCases.map(\.rawValue).joined(separator: ", ") + ")" }
            throw fail(.unknownMotif, msg, at: motifC)
        }
        var elsewhere: [String: String] = [:]
        for (other, keys) in Self.motifKeys where other != motif {
            for k in keys where !(Self.motifKeys[motif] ?? []).contains(k) {
                let owners = Self.motifKeys.filter { $0.value.contains(k) }.map(\.key.rawValue).sorted()
                elsewhere[k] = "'\(k)' applies to motif \(owners.joined(separator: "/")), not \(motif.rawValue)"
            }
            _ = other
        }
        try checkKeys(m, allowed: Self.commonStageKeys + (Self.motifKeys[motif] ?? []), elsewhere: elsewhere)

        var needs: [String] = []
        if let nc = m["needs"] {
            let items: [Cursor]
            if case .scalar = nc.node { items = [nc] } else { items = try list(nc, max: options.maxStages, nonEmpty: false) }
            for item in items {
                let n = try string(item)
                guard !needs.contains(n) else { throw fail(.invalidValue, "'\(n)' is listed twice", at: item) }
                needs.append(n)
                note(item)
            }
        }
        if let d = m["description"] { _ = try string(d, allowEmpty: true) }
        let maxFailures = try m["max_failures"].map { c throws(WorkflowError) in try int(c, 0...options.maxTasksPerStage) } ?? 0
        let resources = try m["resources"].map { c throws(WorkflowError) in
            let rm = try mapping(c)
            try checkKeys(rm, allowed: Self.resourceKeys)
            return rm
        }

        var scope = stagesScope
        let body: StageDefinition.Body
        var settings: TaskSettings
        switch motif {
        case .ensemble:
            let sweep = try m["sweep"].map { c throws(WorkflowError) in try self.sweep(c) } ?? SweepSpec()
            scope.index = true
            scope.params = Set(sweep.variables.map(\.name))
            settings = try self.settings(m, resourcesFrom: resources, scope: scope).layered(over: defaults)
            let command = try self.command(try required(m, "command", what: "the argv of each task"), scope: scope)
            var count = 1
            if let cc = m["count"] {
                guard m["sweep"] == nil else { throw fail(.invalidValue, "give either 'sweep' or 'count', not both", at: cc) }
                count = try int(cc, 1...options.maxTasksPerStage)
            } else if let sc = m["sweep"] {
                guard let n = sweep.count, n <= options.maxTasksPerStage else {
                    throw fail(.tooManyTasks, "the sweep expands to " + (sweep.count.map { "\($0)" } ?? "more than \(Int.max)")
                               + " tasks; at most \(options.maxTasksPerStage) are allowed per stage", at: sc)
                }
                count = n
            }
            try validateTask(settings.taskSpec(command: command, context: Self.probe, bindings: .init(stage: e.key)),
                             stagePath: c.path, stageMark: e.keyMark)
            body = .ensemble(EnsembleSpec(command: command, sweep: sweep, count: count))

        case .coupled:
            settings = try self.settings(m, resourcesFrom: resources, scope: scope).layered(over: defaults)
            let command = try self.command(try required(m, "command", what: "the argv started on every rank"), scope: scope)
            let nodes = try m["nodes"].map { c throws(WorkflowError) in note(c); return try int(c, 1...100_000) } ?? 1
            let rpn = try m["ranks_per_node"].map { c throws(WorkflowError) in note(c); return try int(c, 1...4096) } ?? 1
            if let cc = m["cores_per_rank"], resources?["cores"] != nil {
                throw fail(.invalidValue, "give cores per rank either here or in resources.cores, not both", at: cc)
            }
            if let gc = m["gpus_per_rank"], resources?["gpus"] != nil {
                throw fail(.invalidValue, "give GPUs per rank either here or in resources.gpus, not both", at: gc)
            }
            let cpr = try m["cores_per_rank"].map { c throws(WorkflowError) in try int(c, 0...65_536) } ?? settings.cores ?? 1
            let gpr = try m["gpus_per_rank"].map { c throws(WorkflowError) in try int(c, 0...1024) } ?? settings.gpus ?? 0
            if let cc = m["cores_per_rank"] { marks[c.path + ".resources.cores"] = cc.mark }
            if let gc = m["gpus_per_rank"] { marks[c.path + ".resources.gpus"] = gc.mark }
            settings.cores = cpr
            settings.gpus = gpr
            let spec = settings.taskSpec(command: command, context: Self.probe, bindings: .init(stage: e.key),
                                         request: settings.request(nodes: nodes, ranksPerNode: rpn))
            try validateTask(spec, stagePath: c.path, stageMark: e.keyMark)
            body = .coupled(CoupledSpec(command: command, nodes: nodes, ranksPerNode: rpn, coresPerRank: cpr, gpusPerRank: gpr))

        case .cutting:
            settings = try self.settings(m, resourcesFrom: resources, scope: scope).layered(over: defaults)
            body = .cutting(try cutting(m, scope: scope))

        case .iterative:
            settings = try self.settings(m, resourcesFrom: resources, scope: scope).layered(over: defaults)
            body = .iterative(try iterative(m, scope: scope, settings: settings, stage: e.key, stageMark: e.keyMark))

        case .pipeline:
            settings = try self.settings(m, resourcesFrom: resources, scope: scope).layered(over: defaults)
            body = .pipeline(try pipeline(m, scope: scope, settings: settings, stage: e.key))
        }
        return StageDefinition(name: e.key, motif: motif, needs: needs, settings: settings, maxFailures: maxFailures,
                               body: body, line: e.keyMark?.line, column: e.keyMark?.column)
    }

    /// A context used only to render probe tasks for validation.
    static let probe = WorkflowContext(id: "probe", dir: "/probe", seed: 0)

    func sweep(_ c: Cursor) throws(WorkflowError) -> SweepSpec {
        let m = try mapping(c)
        guard !m.entries.isEmpty else { throw fail(.invalidValue, "a sweep needs at least one variable", at: c) }
        guard m.entries.count <= 32 else { throw fail(.tooLarge, "at most 32 sweep variables", at: c) }
        var vars: [SweepSpec.Variable] = []
        for e in m.entries {
            let valid = e.key.first.map { $0 == "_" || ($0.isASCII && $0.isLetter) } ?? false
                && e.key.allSatisfy { $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }
            guard valid else {
                throw fail(.invalidValue, "sweep variable '\(e.key)' must be a letter or '_' followed by letters, digits or '_'",
                           at: e.keyMark, field: e.value.path)
            }
            vars.append(.init(name: e.key, values: try sweepValues(e.value)))
        }
        return SweepSpec(variables: vars)
    }

    private func sweepValues(_ c: Cursor) throws(WorkflowError) -> SweepSpec.Values {
        let expected = "a range string like \"0-7\" or \"0-99:3\", a list of values, or {seeds: N}"
        switch c.node {
        case .scalar(let s):
            guard case .string(let text) = ScalarKind(s) else { throw wrongType(c, expected: expected) }
            return .range(try range(text, at: c))
        case .sequence:
            let items = try list(c, max: options.maxTasksPerStage)
            var values: [ParamValue] = []
            values.reserveCapacity(items.count)
            for item in items {
                let v = try param(item)
                if case .map = v { throw wrongType(item, expected: "a scalar or a list") }
                values.append(v)
            }
            return .list(values)
        case .mapping:
            let m = try mapping(c)
            try checkKeys(m, allowed: ["seeds"])
            return .seeds(try int(try required(m, "seeds", what: "how many random seeds"), 1...options.maxTasksPerStage))
        case .alias:
            throw wrongType(c, expected: expected)
        }
    }

    func range(_ text: String, at c: Cursor) throws(WorkflowError) -> IndexRange {
        do { return try IndexRange(parsing: text, maxCount: options.maxTasksPerStage) } catch {
            throw fail(error.message.contains("more than") ? .tooManyTasks : .invalidValue, error.message, at: c)
        }
    }

    private func cutting(_ m: MappingView, scope: Template.Scope) throws(WorkflowError) -> CuttingSpec {
        let cc = try required(m, "circuit", what: "a path to an OpenQASM 2 file, or {qubits, depth, seed}")
        let circuit: CuttingSpec.Circuit
        var width: Int?
        switch cc.node {
        case .mapping:
            let rm = try mapping(cc)
            try checkKeys(rm, allowed: ["qubits", "depth", "seed"])
            let q = try int(try required(rm, "qubits"), 1...1000)
            let d = try int(try required(rm, "depth"), 1...100_000)
            let s = try rm["seed"].map { c throws(WorkflowError) in UInt64(try int(c, 0...Int.max)) }
            circuit = .random(qubits: q, depth: d, seed: s)
            width = q
        default:
            let path = try template(cc, scope: scope)
            if let why = WorkflowReader.circuitPathViolation(path.source) { throw fail(.invalidValue, why, at: cc) }
            circuit = .file(path)
        }
        let mfqCursor = try required(m, "max_fragment_qubits", what: "an integer, or auto")
        let mfq: Int
        if (try? string(mfqCursor)) == "auto" {
            mfq = CuttingStagePlan.autoFragmentQubits
        } else {
            do { mfq = try int(mfqCursor, 1...1000) } catch {
                throw fail(.invalidValue, "expected an integer between 1 and 1000, or auto (the optimizer chooses)", at: mfqCursor)
            }
        }
        let oc = try required(m, "observables", what: "Pauli strings such as ZZZZ")
        var observables: [String] = []
        for item in try list(oc, max: 10_000) {
            let o = try string(item)
            guard o.allSatisfy({ "IXYZ".contains($0) }) else {
                throw fail(.invalidValue, "'\(o)' is not a Pauli string (letters I, X, Y, Z only)", at: item)
            }
            if let w = width ?? observables.first?.count, o.count != w {
                throw fail(.invalidValue, "'\(o)' has \(o.count) qubits; expected \(w)" + (width != nil ? " (the circuit's width)" : ""), at: item)
            }
            observables.append(o)
        }
        let shots = try m["shots"].map { c throws(WorkflowError) in try int(c, 1...1_000_000_000) } ?? 1000
        var device = "any"
        if let dc = m["device"] {
            device = try string(dc)
            if device != CuttingStagePlan.autoDevice {
                do { _ = try QPUSelector(parsing: device) } catch { throw fail(.invalidValue, error.message, at: dc) }
            }
        }
        return CuttingSpec(circuit: circuit, maxFragmentQubits: mfq, observables: observables, shots: shots, device: device)
    }

    private func iterative(_ m: MappingView, scope stageScope: Template.Scope, settings: TaskSettings, stage: String,
                           stageMark: Mark?) throws(WorkflowError) -> IterativeSpec {
        let dc = try required(m, "driver", what: "a built-in driver (" + options.builtinDrivers.sorted().joined(separator: ", ")
                              + ") or 'command'")
        let name = try string(dc)
        let driver: IterativeSpec.Driver
        if name == "command" {
            var scope = stageScope
            scope.round = true
            scope.index = true
            let cmd = try command(try required(m, "command", what: "the argv run each round, with {round}"), scope: scope)
            try validateTask(settings.taskSpec(command: cmd, context: Self.probe, bindings: .init(stage: stage)),
                             stagePath: m.value.path, stageMark: stageMark)
            driver = .command(cmd)
        } else {
            guard options.builtinDrivers.contains(name) else {
                var msg = "unknown driver '\(name)'"
                let known = options.builtinDrivers.union(["command"])
                if let s = Suggestion.closest(to: name, in: known) { msg += " (did you mean '\(s)'?)" }
                else { msg += " (expected one of: " + known.sorted().joined(separator: ", ") + ")" }
                throw fail(.invalidValue, msg, at: dc)
            }
            if let cc = m["command"] {
                throw fail(.invalidValue, "'command' is only used with 'driver: command'", at: cc.keyMark, field: cc.path)
            }
            try validateTask(settings.taskSpec(command: [Template(literal: "probe")], context: Self.probe,
                                               bindings: .init(stage: stage)),
                             stagePath: m.value.path, stageMark: stageMark)
            driver = .builtin(name)
        }
        var params = ParamValue.map([])
        if let pc = m["params"] {
            guard case .mapping = pc.node else { throw wrongType(pc, expected: "a mapping") }
            params = try param(pc)
        }
        let rounds = try m["max_rounds"].map { c throws(WorkflowError) in try int(c, 1...1_000_000) } ?? 100
        return IterativeSpec(driver: driver, params: params, maxRounds: rounds)
    }

    private func pipeline(_ m: MappingView, scope stageScope: Template.Scope, settings: TaskSettings,
                          stage: String) throws(WorkflowError) -> PipelineSpec {
        let ic = try required(m, "items", what: "a range string like \"0-9\" or a list")
        let items: [ParamValue]
        switch ic.node {
        case .scalar(let s):
            guard case .string(let text) = ScalarKind(s) else {
                throw wrongType(ic, expected: "a range string like \"0-9\" or a list")
            }
            items = try range(text, at: ic).values.map { .int($0) }
        default:
            var values: [ParamValue] = []
            for item in try list(ic, max: options.maxTasksPerStage) {
                let v = try param(item)
                if case .map = v { throw wrongType(item, expected: "a scalar or a list") }
                values.append(v)
            }
            items = values
        }
        let sc = try required(m, "steps", what: "a list of {name, command}")
        let stepCursors = try list(sc, max: 1000)
        guard items.count.multipliedReportingOverflow(by: stepCursors.count).partialValue <= options.maxTasksPerStage,
              !items.count.multipliedReportingOverflow(by: stepCursors.count).overflow else {
            throw fail(.tooManyTasks, "\(stepCursors.count) steps × \(items.count) items exceed \(options.maxTasksPerStage) tasks per stage", at: ic)
        }
        var scope = stageScope
        scope.index = true
        scope.item = true
        scope.step = true
        var steps: [PipelineSpec.Step] = []
        for stc in stepCursors {
            let sm = try mapping(stc)
            try checkKeys(sm, allowed: Self.stepKeys)
            let nc = try required(sm, "name")
            let name = try self.name(nc, what: "step name")
            guard !steps.contains(where: { $0.name == name }) else {
                throw fail(.invalidValue, "step name '\(name)' is used twice", at: nc)
            }
            let rm = try sm["resources"].map { c throws(WorkflowError) in
                let r = try mapping(c)
                try checkKeys(r, allowed: Self.resourceKeys)
                return r
            }
            let st = try self.settings(sm, resourcesFrom: rm, scope: scope).layered(over: settings)
            let cmd = try command(try required(sm, "command"), scope: scope)
            try validateTask(st.taskSpec(command: cmd, context: Self.probe, bindings: .init(stage: stage)),
                             stagePath: stc.path, stageMark: stc.mark)
            steps.append(.init(name: name, command: cmd, settings: st))
        }
        return PipelineSpec(steps: steps, items: items)
    }

    // MARK: DAG checks

    private func checkNeeds(_ stages: [StageDefinition], stagesCursor sm: MappingView) throws(WorkflowError) {
        let names = stages.map(\.name)
        for s in stages {
            let base = "stages.\(s.name).needs"
            for (k, n) in s.needs.enumerated() {
                let path = s.needs.count == 1 && marks[base] != nil ? base : base + "[\(k)]"
                let mark = marks[path] ?? marks[base + "[\(k)]"] ?? marks[base]
                if n == s.name {
                    throw fail(.cycle, "stage '\(s.name)' needs itself", at: mark, field: path)
                }
                guard names.contains(n) else {
                    var msg = "unknown stage '\(n)'"
                    if let sug = Suggestion.closest(to: n, in: names) { msg += " (did you mean '\(sug)'?)" }
                    throw fail(.unknownStage, msg, at: mark, field: path)
                }
            }
        }
        do {
            _ = try WorkflowDAG(stages: stages.map { ($0.name, $0.needs) })
        } catch {
            var e = error
            if e.code == .cycle, let first = e.field.flatMap({ f in stages.first { "stages.\($0.name).needs" == f } }) {
                e.file = file
                e.line = first.line
                e.column = first.column
            }
            throw e
        }
    }
}

extension WorkflowReader {
    /// Where a workflow may read a circuit from: relative to the workflow file (or the workflow
    /// directory when there is no file), or under `{{workflow.dir}}` (a stage's outputs included),
    /// and never up out of it with `..`. A workflow file comes from anywhere; the manager reads
    /// what it names with its own rights, so it must not name the manager's other files. (Every
    /// template variable a circuit path may use renders to a name, or to a directory under
    /// {{workflow.dir}}.)
    static func circuitPathViolation(_ text: String) -> String? {
        let components = text.split(separator: "/", omittingEmptySubsequences: true)
        if components.contains("..") {
            return "'\(text)' leaves the workflow's directory ('..'); name circuits relative to the workflow file, or under {{workflow.dir}}"
        }
        if text.hasPrefix("/") || text.hasPrefix("~") {
            return "'\(text)' is an absolute path; a workflow may read circuits only relative to its file or under {{workflow.dir}} (copy the circuit there, or submit it with `pilot submit --circuit`)"
        }
        return nil
    }
}

