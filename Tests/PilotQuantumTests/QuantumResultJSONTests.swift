import Foundation
@testable import PilotQuantum
import Testing

extension QuantumResult {
    /// What `jsonData()` wrote before it was written by hand.
    func encodedJSONData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return try encoder.encode(self)
    }
}

/// The hand-written result JSON is byte for byte what `JSONEncoder` writes.
@Suite struct QuantumResultJSONTests {
    static let results: [QuantumResult] = [
        QuantumResult(device: "ideal-sim", qubits: 4, shots: 0, seed: 18_446_744_073_709_551_615, counts: [:],
                      expectations: [ExpectationValue(observable: "ZZII", value: 0.123456789012345, standardError: 0),
                                     ExpectationValue(observable: "XXXX", value: -1, standardError: 0)],
                      timings: QuantumTimings(queueWaitSeconds: 0.001, executionSeconds: 2.5e-05, totalSeconds: 1e-20)),
        QuantumResult(device: "small \"7\"\n", qubits: 3, shots: 1000, seed: 7,
                      counts: ["000": 500, "111": 480, "010": 20], expectations: [],
                      timings: QuantumTimings(queueWaitSeconds: 0, executionSeconds: 123456.5, totalSeconds: 1e16),
                      trajectories: 64),
        QuantumResult(device: "é", qubits: 1, shots: 10, seed: 0, counts: ["1": 10],
                      expectations: [ExpectationValue(observable: "Z", value: 1e-300, standardError: 3.0e-7)],
                      timings: QuantumTimings(queueWaitSeconds: 0.1, executionSeconds: 0.2, totalSeconds: 0.30000000000000004)),
    ]

    @Test(arguments: results)
    func handWrittenEqualsEncoder(_ result: QuantumResult) throws {
        let ours = String(decoding: try result.jsonData(), as: UTF8.self)
        let theirs = String(decoding: try result.encodedJSONData(), as: UTF8.self)
        #expect(ours == theirs)
        #expect(try QuantumResult.decode(Data(ours.utf8)) == result)
    }
}

/// The agent's job reader agrees with `Decodable` on what it accepts.
@Suite struct QuantumJobReadingTests {
    @Test(arguments: [
        QuantumJob(circuit: "OPENQASM 2.0;\nqreg q[1];\nh q[0];", shots: 0, seed: nil, observables: ["Z"], device: "ideal-sim"),
        QuantumJob(circuit: "x", shots: 1024, seed: UInt64.max, observables: [], device: ""),
    ])
    func readEqualsDecode(_ job: QuantumJob) throws {
        let data = try JSONEncoder().encode(job)
        #expect(try QuantumJob.read(data) == job)
        #expect(try JSONDecoder().decode(QuantumJob.self, from: data) == job)
    }

    @Test(arguments: [#"{"circuit":1,"shots":0,"device":"d"}"#, #"{"circuit":"c","shots":0.5,"device":"d"}"#,
                      #"{"circuit":"c","shots":0}"#, #"{"circuit":"c","shots":0,"device":"d","observables":[1]}"#, "[]", "{"])
    func refusesWhatDecodeRefuses(_ text: String) {
        #expect(throws: QuantumError.self) { try QuantumJob.read(Data(text.utf8)) }
        #expect(throws: (any Error).self) { try JSONDecoder().decode(QuantumJob.self, from: Data(text.utf8)) }
    }
}
