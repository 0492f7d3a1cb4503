import Foundation
@testable import PilotQuantum
import Testing

/// Primitive results in Qiskit Runtime's JSON encoding, as QRMI's task runner writes them, made by
/// qiskit-ibm-runtime's own encoder (Fixtures/gen_runtime_results.py), read into `PUBJobResult`.
@Suite struct RuntimeResultTests {
    struct Entry: Decodable {
        var name: String
        var job: JSONValue
        var result: String
        var counts: [[String: [String: Int]]]?
        var jointCounts: [[String: Int]]?
        var evs: [Double]?
        var stds: [Double]?
        var shots: Int?
    }

    static func entries() throws -> [String: Entry] {
        let d = JSONDecoder()
        d.keyDecodingStrategy = .convertFromSnakeCase
        let list = try d.decode([Entry].self, from: FixtureLoader.data("runtime_results.json"))
        return Dictionary(uniqueKeysWithValues: list.map { ($0.name, $0) })
    }

    static let timings = QuantumTimings(queueWaitSeconds: 0, executionSeconds: 1, totalSeconds: 1)

    @Test func samplerBitArraysBecomeCountsPerBindingAndRegister() throws {
        let e = try #require(try Self.entries()["sampler"])
        let job = try PUBJob.parse(PUBJobTests.text(e.job))
        let r = try PUBJobResult.readRuntime(Data(e.result.utf8), job: job, device: "ibm_torino", timings: Self.timings)
        #expect(r.primitive == .sampler && r.device == "ibm_torino" && r.pubs.count == 1)
        let pub = r.pubs[0]
        #expect(pub.shape == [2] && pub.shots == 5)
        #expect(pub.registers?.map(\.name) == ["a", "b"])
        #expect(pub.counts == e.counts)
        #expect(pub.jointCounts == e.jointCounts)
    }

    @Test func estimatorArraysBecomeValuesAndDeviations() throws {
        let e = try #require(try Self.entries()["estimator"])
        let job = try PUBJob.parse(PUBJobTests.text(e.job))
        let r = try PUBJobResult.readRuntime(Data(e.result.utf8), job: job, device: "ibm_torino", timings: Self.timings)
        let pub = r.pubs[0]
        #expect(pub.shape == [2])
        #expect(pub.evs == e.evs && pub.stds == e.stds)
        #expect(pub.shots == e.shots)
        #expect(pub.precision == 0.05)
    }

    @Test func resultsThatDoNotAnswerTheJobAreRefusedWithWhere() throws {
        let e = try #require(try Self.entries()["estimator"])
        let sampler = try #require(try Self.entries()["sampler"])
        let job = try PUBJob.parse(PUBJobTests.text(e.job))
        let samplerJob = try PUBJob.parse(PUBJobTests.text(sampler.job))
        func refusal(_ text: String, _ job: PUBJob) -> String? {
            do throws(QuantumError) {
                _ = try PUBJobResult.readRuntime(Data(text.utf8), job: job, device: "d", timings: Self.timings)
                return nil
            } catch {
                return error.code == .runnerOutput ? "\(error)" : "wrong code \(error.code)"
            }
        }
        #expect(refusal("Traceback (most recent call last)", job)?.contains("not JSON") == true)
        #expect(refusal(#"{"__type__": "PrimitiveResult", "__value__": {"pub_results": []}}"#, job)?.contains("0 PUB results for 1 PUBs") == true)
        // The estimator's arrays have shape (2,), a sampler's registers are not there.
        #expect(refusal(e.result, samplerJob)?.hasPrefix("pub_results[0].data.a:") == true)
        let truncated = e.result.replacingOccurrences(of: "\"stds\"", with: "\"other\"")
        #expect(refusal(truncated, job)?.contains("no stds") == true)
    }

    @Test func npyReaderRefusesWhatItCannotRead() {
        #expect(throws: QuantumError.self) { try NPYArray(Data("not numpy".utf8)) }
        #expect(throws: QuantumError.self) { try ZlibInflate.inflate(Data([1, 2, 3, 4])) }
    }
}
