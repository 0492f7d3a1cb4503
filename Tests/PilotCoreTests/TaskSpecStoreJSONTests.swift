import Foundation
import Testing
import PilotCore

/// The hand-written spec JSON must be the object `JSONEncoder` writes, and read back as the same spec.
@Suite struct TaskSpecStoreJSONTests {
    static var specs: [TaskSpec] {
        var q = TaskSpec(name: "q1", kind: .quantum)
        q.request.qpu = QPUSelector(device: "ideal-sim")
        q.payload = "{\"circuit\":\"OPENQASM 2.0;\\ninclude \\\"qelib1.inc\\\";\\nqreg q[2];\\n\",\"device\":\"ideal-sim\",\"shots\":0}"
        var all = TaskSpec(name: "a/b \"c\" é\t", kind: .command, command: ["/bin/sh", "-c", "echo {i} \\ done", ""],
                           request: ResourceRequest(cores: 4, gpus: 2, memoryBytes: 1536 << 20, nodes: 3, ranksPerNode: 2,
                                                    qpu: QPUSelector(device: nil, minQubits: 7, count: 2, policy: .fastest), pilot: "p-9"))
        all.workingDirectory = "/scratch/run 1"
        all.payload = "\u{1}\u{1F}x"
        all.timeRequest = 90
        all.timeLimit = 0.25
        all.priority = -3
        all.retries = 5
        all.crashLimit = 1
        all.captureOutput = false
        all.arrayIndex = 12
        all.after = [1, 9_000_000_000]
        all.afterOk = true
        var any = TaskSpec(kind: .quantum)
        any.request.qpu = QPUSelector(device: nil, minQubits: 0, count: 1)
        any.payload = "{}"
        any.request.memoryBytes = 7
        return [TaskSpec(command: ["true"]), TaskSpec(kind: .null), q, all, any]
    }

    /// `JSONEncoder` without sorted keys writes them in no fixed order (and escapes slashes), so
    /// the two are compared as JSON values, and through the decoder the store reads them with.
    @Test func equalsJSONEncodersObjectAndReadsBack() throws {
        for spec in Self.specs {
            let text = try #require(spec.storeJSON)
            let encoded = try JSONEncoder().encode(spec)
            let mine = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? NSDictionary)
            let theirs = try #require(try JSONSerialization.jsonObject(with: encoded) as? NSDictionary)
            #expect(mine == theirs, "\(text)")
            #expect(try JSONDecoder().decode(TaskSpec.self, from: Data(text.utf8)) == spec)
        }
    }

    /// Dictionaries and estimates are left to the encoder.
    @Test func leavesDictionariesToTheEncoder() {
        var env = TaskSpec(command: ["x"])
        env.environment = ["A": "1"]
        #expect(env.storeJSON == nil)
        var custom = TaskSpec(command: ["x"])
        custom.request.custom = [.init(name: "license", amount: 1)]
        #expect(custom.storeJSON == nil)
        var estimates = TaskSpec(kind: .quantum)
        estimates.qpuEstimates = []
        #expect(estimates.storeJSON == nil)
    }
}
