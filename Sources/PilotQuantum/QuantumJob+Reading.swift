import Foundation

extension QuantumJob {
    /// Reads a job as its `Decodable` conformance does, with the PUB reader's JSON parser: the
    /// agent reads one per quantum task, and `JSONDecoder` was a visible share of that path.
    public static func read(_ data: Data) throws(QuantumError) -> QuantumJob {
        let root: JSONValue
        do { root = try JSONValue.parse(data) } catch { throw QuantumError(.invalidArgument, "the job is not valid JSON", cause: error) }
        return try read(root)
    }

    /// The job in a payload already parsed (`QuantumPayload.read`).
    static func read(_ root: JSONValue) throws(QuantumError) -> QuantumJob {
        func fail(_ field: String, _ why: String) -> QuantumError { QuantumError(.invalidArgument, why, field: field) }
        guard case .object(let f) = root else { throw fail("", "the job must be a JSON object, got \(root.typeName)") }
        guard case .string(let circuit)? = f["circuit"] else { throw fail("circuit", "must be a string") }
        guard case .string(let device)? = f["device"] else { throw fail("device", "must be a string") }
        guard case .number(let shotsValue, _)? = f["shots"], let shots = Int(exactly: shotsValue) else {
            throw fail("shots", "must be an integer")
        }
        var seed: UInt64?
        switch f["seed"] {
        case nil, .null?: seed = nil
        case .number(_, let exact?)?: seed = exact
        default: throw fail("seed", "must be an integer in 0...\(UInt64.max)")
        }
        var observables: [String] = []
        switch f["observables"] {
        case nil, .null?: break
        case .array(let items)?:
            for (k, item) in items.enumerated() {
                guard case .string(let label) = item else { throw fail("observables[\(k)]", "must be a string") }
                observables.append(label)
            }
        default: throw fail("observables", "must be a list of strings")
        }
        return QuantumJob(circuit: circuit, shots: shots, seed: seed, observables: observables, device: device)
    }
}
