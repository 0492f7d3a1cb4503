import Foundation

/// The two shapes a quantum task's payload takes: the single-circuit `QuantumJob` (mini-apps,
/// workflows, `pilot submit --circuit`) and the `PUBJob` of Qiskit-style primitives. A payload
/// with a top-level `pubs` key is a PUB job.
public enum QuantumPayload {
    private struct Probe: Decodable {
        var isPUBJob: Bool
        private enum CodingKeys: String, CodingKey { case pubs }
        init(from decoder: any Decoder) throws {
            isPUBJob = try decoder.container(keyedBy: CodingKeys.self).contains(.pubs)
        }
    }

    /// What a payload is, read once: the agent used to parse it twice per task (this question,
    /// then the job itself).
    public enum Reading: Sendable {
        case pubJob
        case job(QuantumJob)
        /// Neither a PUB job nor a single-circuit job: why.
        case invalid(QuantumError)
    }

    public static func isPUBJob(_ text: String) -> Bool {
        // A key reads `pubs` only if the text spells it, or escapes one of its letters as `\uXXXX`;
        // without either it is no PUB job, and the API asks this of every quantum task it takes.
        if !mentions(text, "pubs"), !mentions(text, "\\u") { return false }
        let data = Data(text.utf8)
        switch parse(data) {
        case .success(.object(let f)): return f["pubs"] != nil
        case .success: return false
        case .failure: return probe(data)
        }
    }

    public static func read(_ text: String) -> Reading {
        let data = Data(text.utf8)
        switch parse(data) {
        case .success(let root):
            if case .object(let f) = root, f["pubs"] != nil { return .pubJob }
            do { return .job(try QuantumJob.read(root)) } catch { return .invalid(error) }
        case .failure(let error):
            return probe(data) ? .pubJob : .invalid(error)
        }
    }

    private static func mentions(_ text: String, _ word: StaticString) -> Bool {
        var text = text
        return text.withUTF8 { t in
            let n = word.utf8CodeUnitCount
            guard t.count >= n else { return false }
            let w = UnsafeBufferPointer(start: word.utf8Start, count: n)
            var i = 0
            while i <= t.count - n {
                if t[i] == w[0], (1..<n).allSatisfy({ t[i + $0] == w[$0] }) { return true }
                i += 1
            }
            return false
        }
    }

    /// The PUB reader's parser, which is cheaper than `JSONDecoder` but bounds nesting and refuses
    /// duplicate keys.
    private static func parse(_ data: Data) -> Result<JSONValue, QuantumError> {
        if let offset = PUBJob.nestingViolation(data) {
            return .failure(QuantumError(.invalidArgument, "the job nests lists and objects more than \(PUBJob.maxNesting) deep (at byte \(offset))"))
        }
        do { return .success(try JSONValue.parse(data)) } catch {
            return .failure(QuantumError(.invalidArgument, "the job is not valid JSON", cause: error))
        }
    }

    /// The answer `JSONDecoder` gives for texts that parser refuses, so which payloads count as
    /// PUB jobs (and get read completely at submission) does not change.
    private static func probe(_ data: Data) -> Bool {
        (try? JSONDecoder().decode(Probe.self, from: data).isPUBJob) ?? false
    }
}
