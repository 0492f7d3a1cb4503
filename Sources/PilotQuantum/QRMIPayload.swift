import Foundation

/// The input file of QRMI's `task_runner` for a PUB job: `{"program_id", "parameters"}`, where
/// `parameters` is a Qiskit Runtime SamplerV2/EstimatorV2 input (version 2) that the runner hands
/// to `Payload.QiskitPrimitive` unchanged. Each PUB carries its circuit as OpenQASM 3 text:
///
///     sampler:   [circuit, parameter_values | null, shots]
///     estimator: [circuit, observables, parameter_values | null, precision | null]
///
/// A circuit with `input` parameters goes as the job wrote it (only OpenQASM 3 has inputs); any
/// other is written out again with `QuantumCircuit.qasm3()`, so OpenQASM 2 jobs run too.
/// Binding columns are put in Qiskit's order, `QuantumCircuit.parameters` after `qasm3.loads`:
/// sorted by name.
public struct QRMIPayload: Sendable {
    /// The job as read, which the runner's result is checked against.
    public var job: PUBJob
    public var programID: PUBJob.Primitive { job.primitive }
    public var pubs: [Value]

    /// The input's `version` field: the V2 primitives'.
    public static let primitiveVersion = 2

    /// Reads and checks `text` as a PUB job (errors name the field, as `PUBJob.parse` does), then
    /// builds the runner's input.
    public static func build(pubJob text: String) throws(QuantumError) -> QRMIPayload {
        let job = try PUBJob.parse(text)
        guard case .object(let fields)? = try? JSONValue.parse(Data(text.utf8)),
              case .array(let items)? = fields["pubs"], items.count == job.pubs.count else {
            throw QuantumError(.invalidArgument, "the job's PUBs could not be read again", field: "pubs")
        }
        var pubs: [Value] = []
        for (index, pub) in job.pubs.enumerated() {
            guard case .object(let pubFields) = items[index], case .string(let source)? = pubFields["circuit"] else {
                throw QuantumError(.invalidArgument, "missing: an OpenQASM program", field: "pubs[\(index)].circuit")
            }
            pubs.append(build(pub, source: source, primitive: job.primitive))
        }
        return QRMIPayload(job: job, pubs: pubs)
    }

    static func build(_ pub: PUB, source: String, primitive: PUBJob.Primitive) -> Value {
        // Only OpenQASM 3 declares inputs, so a circuit with parameters is already in the right language.
        let circuit = pub.circuit.parameters.isEmpty ? pub.circuit.template.qasm3() : source
        let values = bindingValues(pub)
        switch primitive {
        case .sampler:
            return .array([.string(circuit), values, .integer(pub.shots)])
        case .estimator:
            let precision: Value
            switch pub.target {
            case .exact: precision = .null
            case .shots(let n): precision = .number(1 / Double(max(1, n)).squareRoot())
            case .precision(let p): precision = .number(p)
            }
            let flat = pub.observables.map(observable)
            return .array([.string(circuit), nest(flat, shape: pub.observableShape), values, precision])
        }
    }

    /// `parameter_values` of shape `bindingShape + [parameters]`, columns in Qiskit's order; null
    /// for a circuit without parameters.
    static func bindingValues(_ pub: PUB) -> Value {
        let names = pub.circuit.parameters
        guard !names.isEmpty else { return .null }
        let order = qiskitOrder(names)
        let column = Dictionary(uniqueKeysWithValues: pub.parameterOrder.enumerated().map { ($1, $0) })
        let width = pub.parameterOrder.count
        let rows: [Value] = (0..<pub.bindingCount).map { b in
            .array(order.map { name in .number(pub.bindings[b * width + column[name]!]) })
        }
        return nest(rows, shape: pub.bindingShape)
    }

    /// Qiskit sorts a circuit's plain parameters by name, comparing code points as Python does.
    public static func qiskitOrder(_ names: [String]) -> [String] {
        names.sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }
    }

    /// A `SparsePauliOp` as Qiskit Runtime reads one from JSON: `{label: coefficient}`, labels in
    /// Qiskit order (qubit 0 rightmost). Repeated labels are summed, as the operator means.
    static func observable(_ op: SparsePauliOperator) -> Value {
        var sums: [String: Double] = [:]
        var order: [String] = []
        for term in op.terms {
            let label = term.pauli.label
            if sums[label] == nil { order.append(label) }
            sums[label, default: 0] += term.coefficient
        }
        return .object(order.map { ($0, .number(sums[$0]!)) })
    }

    /// Flat C-order items as nested lists of `shape` (an item alone for shape []).
    static func nest(_ flat: [Value], shape: [Int]) -> Value {
        guard let first = shape.first else { return flat.first ?? .null }
        let inner = BroadcastShape.count(Array(shape.dropFirst()))
        return .array((0..<first).map { i in nest(Array(flat[(i * inner)..<((i + 1) * inner)]), shape: Array(shape.dropFirst())) })
    }

    /// The runner's input file.
    public func jsonData() throws(QuantumError) -> Data {
        let document = Value.object([
            ("program_id", .string(programID.rawValue)),
            ("parameters", .object([("pubs", .array(pubs)), ("version", .integer(Self.primitiveVersion))])),
        ])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do { return try encoder.encode(document) } catch {
            throw QuantumError(.io, "cannot encode the QRMI payload", cause: error)
        }
    }

    /// JSON as written: keys keep their order, integers stay integers.
    public indirect enum Value: Sendable, Encodable, Equatable {
        case null
        case integer(Int)
        case number(Double)
        case string(String)
        case array([Value])
        case object([(String, Value)])

        private struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        public func encode(to encoder: any Encoder) throws {
            switch self {
            case .null:
                var c = encoder.singleValueContainer()
                try c.encodeNil()
            case .integer(let n):
                var c = encoder.singleValueContainer()
                try c.encode(n)
            case .number(let x):
                var c = encoder.singleValueContainer()
                try c.encode(x)
            case .string(let s):
                var c = encoder.singleValueContainer()
                try c.encode(s)
            case .array(let items):
                var c = encoder.unkeyedContainer()
                for item in items { try c.encode(item) }
            case .object(let pairs):
                var c = encoder.container(keyedBy: Key.self)
                for (k, v) in pairs { try c.encode(v, forKey: Key(stringValue: k)) }
            }
        }

        public static func == (a: Value, b: Value) -> Bool {
            switch (a, b) {
            case (.null, .null): return true
            case (.integer(let x), .integer(let y)): return x == y
            case (.number(let x), .number(let y)): return x == y
            case (.string(let x), .string(let y)): return x == y
            case (.array(let x), .array(let y)): return x == y
            case (.object(let x), .object(let y)):
                return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
            default: return false
            }
        }
    }
}
