import Foundation
import PilotCore

extension PUBJob {
    static let jobKeys: Set<String> = ["version", "primitive", "device", "seed", "shots", "precision", "pubs"]
    static let pubKeys: Set<String> = ["circuit", "parameters", "parameter_values", "observables", "shots", "precision"]
    /// Deeper JSON is refused before decoding: a binding array of 20 axes is already absurd, and a
    /// recursive decoder must not be handed thousands of nested brackets.
    static let maxNesting = 40
    static let maxDimensions = 16

    public static func parse(_ text: String) throws(QuantumError) -> PUBJob {
        try parse(Data(text.utf8))
    }

    /// Reads and checks a PUB job completely: every circuit is read (OpenQASM 2 or 3), every
    /// binding and observable is checked against it. Errors name the field (`pubs[1].observables[0]`)
    /// and, for circuits, the line and column (`pubs[1].circuit:4:3: unknown gate 'foo'`).
    public static func parse(_ data: Data) throws(QuantumError) -> PUBJob {
        if let offset = nestingViolation(data) {
            throw QuantumError(.invalidArgument, "the job nests lists and objects more than \(maxNesting) deep (at byte \(offset))")
        }
        let root: JSONValue
        do { root = try JSONValue.parse(data) } catch {
            throw QuantumError(.invalidArgument, "the job is not valid JSON", cause: error)
        }
        guard case .object(let fields) = root else {
            throw QuantumError(.invalidArgument, "the job must be a JSON object, got \(root.typeName)")
        }
        try checkKeys(fields, allowed: jobKeys, path: "")
        if let v = fields["version"] {
            guard case .number(_, let exact) = v, exact == UInt64(version) else {
                throw QuantumError(.invalidArgument, "unsupported version: \(version) is the only one", field: "version")
            }
        }
        guard case .string(let name)? = fields["primitive"] else {
            throw QuantumError(.invalidArgument, fields["primitive"] == nil ? "missing: sampler or estimator"
                                   : "must be \"sampler\" or \"estimator\", got \(fields["primitive"]!.typeName)",
                               field: "primitive")
        }
        guard let primitive = Primitive(rawValue: name) else {
            throw QuantumError(.invalidArgument, "must be \"sampler\" or \"estimator\", got '\(name)'", field: "primitive")
        }
        var device: String?
        if let d = fields["device"] {
            guard case .string(let s) = d, !s.isEmpty else {
                throw QuantumError(.invalidArgument, "must be a device name, got \(d.typeName)", field: "device")
            }
            device = s
        }
        var seed: UInt64?
        if let s = fields["seed"] {
            guard case .number(_, let exact?) = s else {
                throw QuantumError(.invalidArgument, "must be an integer in 0...\(UInt64.max)", field: "seed")
            }
            seed = exact
        }
        let jobShots = try shots(fields["shots"], path: "shots", primitive: primitive)
        let jobPrecision = try precision(fields["precision"], path: "precision", primitive: primitive)
        if jobShots != nil, jobPrecision != nil {
            throw QuantumError(.invalidArgument, "give shots or precision, not both", field: "precision")
        }
        guard case .array(let items)? = fields["pubs"] else {
            throw QuantumError(.invalidArgument, fields["pubs"] == nil ? "missing: a list of PUBs" : "must be a list of PUBs",
                               field: "pubs")
        }
        guard !items.isEmpty else { throw QuantumError(.invalidArgument, "the job has no PUBs", field: "pubs") }
        guard items.count <= maxPUBs else {
            throw QuantumError(.invalidArgument, "at most \(maxPUBs) PUBs per job, got \(items.count)", field: "pubs")
        }
        var pubs: [PUB] = []
        var results = 0
        var terms = 0
        for (index, item) in items.enumerated() {
            let pub = try parsePUB(item, path: "pubs[\(index)]", primitive: primitive, jobShots: jobShots,
                                   jobPrecision: jobPrecision)
            results += BroadcastShape.count(pub.resultShape)
            terms += pub.observables.reduce(0) { $0 + $1.terms.count }
            guard results <= maxResults else {
                throw QuantumError(.invalidArgument,
                                   "the job asks for more than \(maxResults) results (bindings × observables over all PUBs)",
                                   field: "pubs[\(index)]")
            }
            guard terms <= maxTerms else {
                throw QuantumError(.invalidArgument, "the job has more than \(maxTerms) Pauli terms", field: "pubs[\(index)]")
            }
            pubs.append(pub)
        }
        return PUBJob(primitive: primitive, device: device, seed: seed, pubs: pubs)
    }

    static func parsePUB(_ value: JSONValue, path: String, primitive: Primitive, jobShots: Int?,
                         jobPrecision: Double?) throws(QuantumError) -> PUB {
        guard case .object(let fields) = value else {
            throw QuantumError(.invalidArgument, "a PUB must be an object with a circuit, got \(value.typeName)", field: path)
        }
        try checkKeys(fields, allowed: pubKeys, path: path)
        guard case .string(let source)? = fields["circuit"] else {
            throw QuantumError(.invalidArgument, fields["circuit"] == nil ? "missing: an OpenQASM 2 or 3 program"
                                   : "must be OpenQASM text, got \(fields["circuit"]!.typeName)",
                               field: "\(path).circuit")
        }
        let circuit: ParameterizedCircuit
        do {
            circuit = try QASMParser.parseParameterized(source, fileName: "\(path).circuit")
        } catch {
            var located = error
            located.field = "\(path).circuit"
            throw located
        }
        let template = circuit.template

        var order = circuit.parameters
        if let given = fields["parameters"] {
            order = try parameterOrder(given, path: "\(path).parameters", circuit: circuit)
        }
        var bindingShape: [Int] = []
        var bindings: [Double] = []
        if let values = fields["parameter_values"] {
            (bindingShape, bindings) = try bindingArray(values, path: "\(path).parameter_values", width: order.count,
                                                        names: order)
        } else if !order.isEmpty {
            throw QuantumError(.invalidArgument,
                               "missing: the circuit has \(order.count) parameter(s) (\(order.joined(separator: ", "))) and needs values for them",
                               field: "\(path).parameter_values")
        }

        var observableShape: [Int] = []
        var observables: [SparsePauliOperator] = []
        var target = PUB.Target.exact
        var shotCount = 0
        let pubShots = try shots(fields["shots"], path: "\(path).shots", primitive: primitive)
        let pubPrecision = try precision(fields["precision"], path: "\(path).precision", primitive: primitive)
        switch primitive {
        case .sampler:
            if fields["observables"] != nil {
                throw QuantumError(.invalidArgument, "observables are for the estimator; a sampler PUB has none",
                                   field: "\(path).observables")
            }
            shotCount = pubShots ?? jobShots ?? defaultShots
            guard template.clbitCount <= 64 else {
                throw QuantumError(.simulatorLimit, "the sampler supports at most 64 classical bits, the circuit has \(template.clbitCount)",
                                   field: "\(path).circuit")
            }
        case .estimator:
            guard let given = fields["observables"] else {
                throw QuantumError(.invalidArgument, "missing: an estimator PUB needs observables", field: "\(path).observables")
            }
            (observableShape, observables) = try observableArray(given, path: "\(path).observables",
                                                                 qubits: template.qubitCount)
            guard BroadcastShape.combine(bindingShape, observableShape) != nil else {
                throw QuantumError(.invalidArgument,
                                   "observables of shape \(BroadcastShape.text(observableShape)) do not broadcast with parameter_values of shape \(BroadcastShape.text(bindingShape))",
                                   field: "\(path).observables")
            }
            guard MeasurementAnalysis(template).isTerminal else {
                throw QuantumError(.invalidCircuit,
                                   "the estimator needs a circuit without mid-circuit measurement or reset (final measurements are ignored)",
                                   field: "\(path).circuit")
            }
            if pubShots != nil, pubPrecision != nil {
                throw QuantumError(.invalidArgument, "give shots or precision, not both", field: "\(path).precision")
            }
            if let p = pubPrecision ?? (pubShots == nil ? jobPrecision : nil) {
                target = p == 0 ? .exact : .precision(p)
            } else if let n = pubShots ?? jobShots {
                target = n == 0 ? .exact : .shots(n)
            }
        }
        return PUB(circuit: circuit, parameterOrder: order, bindingShape: bindingShape, bindings: bindings,
                   observableShape: observableShape, observables: observables, shots: shotCount, target: target)
    }

    // MARK: - Fields

    static func checkKeys(_ fields: [String: JSONValue], allowed: Set<String>, path: String) throws(QuantumError) {
        for key in fields.keys.sorted() where !allowed.contains(key) {
            let known = allowed.sorted().joined(separator: ", ")
            throw QuantumError(.invalidArgument, "unknown key '\(key)' (known: \(known))",
                               field: path.isEmpty ? key : "\(path).\(key)")
        }
    }

    static func shots(_ value: JSONValue?, path: String, primitive: Primitive) throws(QuantumError) -> Int? {
        guard let value else { return nil }
        // The sampler needs at least one shot; the estimator reads 0 as "exact".
        let least = primitive == .sampler ? 1 : 0
        guard case .number(_, let exact?) = value, exact >= UInt64(least), exact <= UInt64(QPUExecutor.maxShots) else {
            throw QuantumError(.invalidArgument, "must be an integer in \(least)...\(QPUExecutor.maxShots)", field: path)
        }
        return Int(exact)
    }

    static func precision(_ value: JSONValue?, path: String, primitive: Primitive) throws(QuantumError) -> Double? {
        guard let value else { return nil }
        guard primitive == .estimator else {
            throw QuantumError(.invalidArgument, "precision is for the estimator; the sampler takes shots", field: path)
        }
        guard case .number(let p, _) = value, p.isFinite, p >= 0 else {
            throw QuantumError(.invalidArgument, "must be a number ≥ 0 (0: exact values)", field: path)
        }
        return p
    }

    static func parameterOrder(_ value: JSONValue, path: String,
                               circuit: ParameterizedCircuit) throws(QuantumError) -> [String] {
        guard case .array(let items) = value else {
            throw QuantumError(.invalidArgument, "must be a list of parameter names", field: path)
        }
        var names: [String] = []
        for (k, item) in items.enumerated() {
            guard case .string(let name) = item else {
                throw QuantumError(.invalidArgument, "must be a parameter name, got \(item.typeName)", field: "\(path)[\(k)]")
            }
            guard circuit.parameters.contains(name) else {
                let known = circuit.parameters.isEmpty ? "the circuit has no parameters"
                    : "the circuit's: \(circuit.parameters.joined(separator: ", "))"
                throw QuantumError(.invalidArgument, "no parameter named '\(name)' (\(known))", field: "\(path)[\(k)]")
            }
            guard !names.contains(name) else {
                throw QuantumError(.invalidArgument, "'\(name)' is listed twice", field: "\(path)[\(k)]")
            }
            names.append(name)
        }
        if let missing = circuit.parameters.first(where: { !names.contains($0) }) {
            throw QuantumError(.invalidArgument, "the circuit's parameter '\(missing)' is not listed", field: path)
        }
        return names
    }

    /// A nested list whose innermost lists hold one value per parameter, like the array behind
    /// Qiskit's `BindingsArray`: its shape is every axis but the last.
    static func bindingArray(_ value: JSONValue, path: String, width: Int,
                             names: [String]) throws(QuantumError) -> ([Int], [Double]) {
        var values: [Double] = []
        func walk(_ v: JSONValue, _ path: String, _ depth: Int) throws(QuantumError) -> [Int] {
            guard case .array(let items) = v else {
                throw QuantumError(.invalidArgument, "expected a list, got \(v.typeName)", field: path)
            }
            let isRow: Bool
            if items.isEmpty { isRow = true } else if case .array = items[0] { isRow = false } else { isRow = true }
            if isRow {
                guard items.count == width else {
                    let what = width == 0 ? "the circuit has no parameters" : "one per parameter: \(names.joined(separator: ", "))"
                    throw QuantumError(.invalidArgument, "expected \(width) value(s) (\(what)), got \(items.count)", field: path)
                }
                for (k, item) in items.enumerated() {
                    guard case .number(let x, _) = item, x.isFinite else {
                        throw QuantumError(.invalidArgument, "value for '\(names[k])' must be a finite number, got \(item.typeName)",
                                           field: "\(path)[\(k)]")
                    }
                    values.append(x)
                }
                return []
            }
            guard depth < maxDimensions else {
                throw QuantumError(.invalidArgument, "more than \(maxDimensions) axes of bindings", field: path)
            }
            var inner: [Int]?
            for (k, item) in items.enumerated() {
                let shape = try walk(item, "\(path)[\(k)]", depth + 1)
                if let inner, inner != shape {
                    throw QuantumError(.invalidArgument,
                                       "ragged bindings: shape \(BroadcastShape.text(shape)) here but \(BroadcastShape.text(inner)) before",
                                       field: "\(path)[\(k)]")
                }
                inner = shape
            }
            return [items.count] + (inner ?? [])
        }
        let shape = try walk(value, path, 0)
        return (shape, values)
    }

    /// A nested list of observables. An observable is a Pauli string (coefficient 1), an object
    /// `{"XZ": 0.5, ...}` as Qiskit's `ObservablesArray` writes it, or a list of `[pauli, coeff]` terms.
    static func observableArray(_ value: JSONValue, path: String,
                                qubits: Int) throws(QuantumError) -> ([Int], [SparsePauliOperator]) {
        var observables: [SparsePauliOperator] = []
        func walk(_ v: JSONValue, _ path: String, _ depth: Int) throws(QuantumError) -> [Int] {
            if let observable = try observable(v, path: path, qubits: qubits) {
                observables.append(observable)
                return []
            }
            guard case .array(let items) = v, !items.isEmpty else {
                throw QuantumError(.invalidObservable,
                                   "expected an observable (a Pauli string, {\"pauli\": coeff, ...} or [[pauli, coeff], ...]) or a non-empty list of them, got \(v.typeName)",
                                   field: path)
            }
            guard depth < maxDimensions else {
                throw QuantumError(.invalidArgument, "more than \(maxDimensions) axes of observables", field: path)
            }
            var inner: [Int]?
            for (k, item) in items.enumerated() {
                let shape = try walk(item, "\(path)[\(k)]", depth + 1)
                if let inner, inner != shape {
                    throw QuantumError(.invalidArgument,
                                       "ragged observables: shape \(BroadcastShape.text(shape)) here but \(BroadcastShape.text(inner)) before",
                                       field: "\(path)[\(k)]")
                }
                inner = shape
            }
            return [items.count] + (inner ?? [])
        }
        let shape = try walk(value, path, 0)
        return (shape, observables)
    }

    /// The observable `v` stands for, or nil when `v` is a list of observables.
    static func observable(_ v: JSONValue, path: String, qubits: Int) throws(QuantumError) -> SparsePauliOperator? {
        func pauli(_ label: String, _ path: String) throws(QuantumError) -> PauliString {
            do {
                return try PauliString(label).resized(to: qubits)
            } catch {
                throw QuantumError(.invalidObservable, error.message, field: path)
            }
        }
        func coefficient(_ v: JSONValue, _ path: String) throws(QuantumError) -> Double {
            guard case .number(let c, _) = v, c.isFinite else {
                throw QuantumError(.invalidObservable, "a coefficient must be a finite real number, got \(v.typeName)", field: path)
            }
            return c
        }
        switch v {
        case .string(let label):
            return SparsePauliOperator([.init(try pauli(label, path), 1)])
        case .object(let terms):
            guard !terms.isEmpty else { throw QuantumError(.invalidObservable, "an observable needs at least one term", field: path) }
            var result: [SparsePauliOperator.Term] = []
            for label in terms.keys.sorted() {
                result.append(.init(try pauli(label, "\(path).\(label)"), try coefficient(terms[label]!, "\(path).\(label)")))
            }
            return SparsePauliOperator(result)
        case .array(let items):
            func isTerm(_ x: JSONValue) -> Bool {
                if case .array(let pair) = x, pair.count == 2, case .string = pair[0] { return true }
                return false
            }
            guard !items.isEmpty, items.allSatisfy(isTerm) else {
                if items.count == 2, case .string = items[0], case .number = items[1] {
                    throw QuantumError(.invalidObservable,
                                       "a [pauli, coeff] term must be inside a list of terms: [[\"XZ\", 0.5]]", field: path)
                }
                return nil
            }
            var result: [SparsePauliOperator.Term] = []
            for (k, item) in items.enumerated() {
                guard case .array(let pair) = item, case .string(let label) = pair[0] else { continue }
                result.append(.init(try pauli(label, "\(path)[\(k)][0]"), try coefficient(pair[1], "\(path)[\(k)][1]")))
            }
            return SparsePauliOperator(result)
        default:
            throw QuantumError(.invalidObservable,
                               "expected an observable (a Pauli string, {\"pauli\": coeff, ...} or [[pauli, coeff], ...]), got \(v.typeName)",
                               field: path)
        }
    }

    /// Byte offset where `{`/`[` nesting passes `maxNesting`, outside strings; nil if it never does.
    /// Every quantum payload passes here at submission and on the agent.
    static func nestingViolation(_ data: Data) -> Int? { JSONNode.nestingViolation(data, maxDepth: maxNesting) }
}
