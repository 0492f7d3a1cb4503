import Foundation
import PilotCore
import PilotQuantum

/// One round of a variational loop whose evaluations share a circuit and differ only in its
/// parameters: the circuit once, as OpenQASM 3 with `input float[64]` parameters, and one binding
/// per evaluation. It goes to the devices as estimator PUB jobs, one per task, each carrying a
/// contiguous slice of the bindings, so a round costs one task per device slot instead of one per
/// evaluation, and the circuit is read once per task instead of once per evaluation.
public struct RoundBatch: Sendable, Hashable {
    /// OpenQASM 3 with one `input float[64]` per entry of `parameters`.
    public var circuit: String
    public var parameters: [String]
    /// One row of `parameters.count` values per evaluation, in evaluation order.
    public var bindings: [[Double]]
    /// Pauli labels, read as `QuantumJob` and PUB jobs both read them (Qiskit's order).
    public var observables: [String]
    public var qubits: Int
    /// 0: exact expectation values.
    public var shots: Int
    /// Task k of the round runs with `seed + k`.
    public var seed: UInt64

    public init(circuit: String, parameters: [String], bindings: [[Double]], observables: [String], qubits: Int,
                shots: Int, seed: UInt64) {
        self.qubits = qubits
        self.circuit = circuit
        self.parameters = parameters
        self.bindings = bindings
        self.observables = observables
        self.shots = shots
        self.seed = seed
    }

    /// Contiguous slices of the evaluations, as even as possible, at most `tasks` of them.
    public func slices(tasks: Int) -> [Range<Int>] {
        let n = bindings.count
        let k = max(1, min(tasks, n))
        return (0..<k).map { i in (i * n / k)..<((i + 1) * n / k) }
    }

    /// The estimator PUB job for the evaluations in `range`: bindings of shape (m, 1) against the
    /// observables of shape (o,), so result k·o + j is observable j at binding k. Written by hand:
    /// the driver builds it on the manager's reactor every round, and `JSONEncoder` on nested
    /// arrays of numbers was the largest cost of a round there.
    public func pubJobJSON(_ range: Range<Int>, device: String?, seed: UInt64) throws(MiniAppError) -> String {
        var s = #"{"version":\#(PUBJob.version),"primitive":"estimator","seed":\#(seed),"#
        if let device {
            s += #""device":"#
            JSONLiteral.appendString(device, to: &s)
            s += ","
        }
        s += #""pubs":[{"circuit":"#
        JSONLiteral.appendString(circuit, to: &s)
        s += #","parameters":["#
        for (k, name) in parameters.enumerated() {
            if k > 0 { s += "," }
            JSONLiteral.appendString(name, to: &s)
        }
        s += #"],"parameter_values":["#
        for (k, row) in bindings[range].enumerated() {
            s += k > 0 ? ",[[" : "[["
            for (j, v) in row.enumerated() {
                guard v.isFinite else { throw MiniAppError(.badResult, "parameter \(parameters[j]) of evaluation \(range.lowerBound + k) is \(v)") }
                if j > 0 { s += "," }
                s += "\(v)"
            }
            s += "]]"
        }
        s += #"],"observables":["#
        for (k, label) in observables.enumerated() {
            if k > 0 { s += "," }
            JSONLiteral.appendString(label, to: &s)
        }
        s += #"],"shots":\#(shots)}]}"#
        return s
    }

    /// One `QuantumResult` per evaluation of `range`, as a single-circuit job would have returned.
    public func results(of result: PUBJobResult, _ range: Range<Int>) throws(MiniAppError) -> [QuantumResult] {
        let o = observables.count
        guard let pub = result.pubs.first, result.pubs.count == 1, let evs = pub.evs, evs.count == range.count * o else {
            throw MiniAppError(.badResult, "the PUB result does not hold \(range.count) × \(o) expectation values")
        }
        let stds = pub.stds ?? Array(repeating: 0, count: evs.count)
        guard stds.count == evs.count else { throw MiniAppError(.badResult, "the PUB result's stds and evs differ in length") }
        return (0..<range.count).map { k in
            QuantumResult(device: result.device, qubits: qubits, shots: shots, seed: result.seed, counts: [:],
                          expectations: (0..<o).map { j in
                              ExpectationValue(observable: observables[j], value: evs[k * o + j], standardError: stds[k * o + j])
                          },
                          timings: result.timings)
        }
    }
}
