import Foundation

extension PUBJobResult {
    /// Reads a result as `decode` does. An estimator result, which holds only numbers, is read
    /// with the PUB reader's own JSON parser: a variational driver reads one per task on the
    /// manager's reactor, where `JSONDecoder` cost more than the optimiser step. Sampler results
    /// (counts keyed by bitstrings) still go through `decode`.
    public static func read(_ data: Data) throws -> PUBJobResult {
        guard case .object(let f)? = try? JSONValue.parse(data), case .string("estimator")? = f["primitive"] else {
            return try decode(data)
        }
        func fail(_ field: String) -> QuantumError { QuantumError(.invalidArgument, "not a PUB job result", field: field) }
        func number(_ v: JSONValue?, _ field: String) throws(QuantumError) -> Double {
            guard case .number(let d, _)? = v else { throw fail(field) }
            return d
        }
        func integer(_ v: JSONValue?, _ field: String) throws(QuantumError) -> UInt64 {
            guard case .number(_, let exact?)? = v else { throw fail(field) }
            return exact
        }
        func numbers(_ v: JSONValue?, _ field: String) throws(QuantumError) -> [Double]? {
            guard let v else { return nil }
            guard case .array(let items) = v else { throw fail(field) }
            var out: [Double] = []
            out.reserveCapacity(items.count)
            for item in items { out.append(try number(item, field)) }
            return out
        }
        guard case .string(let device)? = f["device"] else { throw fail("device") }
        guard case .object(let t)? = f["timings"] else { throw fail("timings") }
        let timings = QuantumTimings(queueWaitSeconds: try number(t["queue_wait_seconds"], "timings"),
                                     executionSeconds: try number(t["execution_seconds"], "timings"),
                                     totalSeconds: try number(t["total_seconds"], "timings"))
        guard case .array(let items)? = f["pubs"] else { throw fail("pubs") }
        var pubs: [PUBResult] = []
        for item in items {
            guard case .object(let p) = item else { throw fail("pubs") }
            var r = PUBResult(shape: try numbers(p["shape"], "shape")?.map { Int($0) } ?? [], shots: Int(try integer(p["shots"], "shots")))
            r.evs = try numbers(p["evs"], "evs")
            r.stds = try numbers(p["stds"], "stds")
            if let precision = p["precision"] { r.precision = try number(precision, "precision") }
            pubs.append(r)
        }
        var result = PUBJobResult(primitive: .estimator, device: device, seed: try integer(f["seed"], "seed"), pubs: pubs,
                                  timings: timings)
        if let v = f["version"] { result.version = Int(try integer(v, "version")) }
        return result
    }
}
