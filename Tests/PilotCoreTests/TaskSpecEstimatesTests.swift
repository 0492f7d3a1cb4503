import Foundation
import Testing
@testable import PilotCore

/// `qpu_estimates` on a task: kept through the store's coding, checked when a client sends them.
@Suite struct TaskSpecEstimatesTests {
    func decode(_ json: String) throws -> TaskSpec {
        try JSONDecoder().decode(TaskSpec.self, from: Data(json.utf8))
    }

    @Test func estimatesRoundTripWithAnAutoSelector() throws {
        var t = TaskSpec(kind: .quantum, request: ResourceRequest(cores: 1, qpu: try QPUSelector(parsing: "auto:fastest")))
        t.payload = "{}"
        t.qpuEstimates = [DeviceEstimate(device: "a", runtime: 0.25, fidelity: 0.9)]
        let back = try JSONDecoder().decode(TaskSpec.self, from: try JSONEncoder().encode(t))
        #expect(back == t)
        #expect(back.request.qpu?.policy == .fastest)
    }

    @Test func nullEstimatesAreNotGiven() throws {
        let t = try decode(#"{"command":["true"],"qpu":"ion:1","qpu_estimates":null}"#)
        #expect(t.qpuEstimates == nil)
    }

    @Test func estimatesNeedAuto() throws {
        let e = #expect(throws: CoreError.self) {
            try decode(#"{"command":["true"],"qpu":"ion:1","qpu_estimates":[{"device":"ion","runtime":1,"fidelity":0.5}]}"#)
        }
        #expect(e?.field == "qpu_estimates")
        #expect(e?.message.contains("qpu: auto") == true)
    }

    @Test func badEstimatesNameTheEntryAndTheReason() throws {
        let cases: [(String, String, String)] = [
            (#"[{"device":"a","runtime":1,"fidelity":1.5}]"#, "qpu_estimates[0].fidelity", "0...1"),
            (#"[{"device":"a","runtime":-1,"fidelity":0.5}]"#, "qpu_estimates[0].runtime", "≥ 0"),
            (#"[{"device":"a","runtime":1,"fidelity":0.5},{"device":"a","runtime":2,"fidelity":0.5}]"#, "qpu_estimates[1].device", "repeated"),
            (#""fast""#, "qpu_estimates", "list of"),
        ]
        for (list, field, why) in cases {
            let e = #expect(throws: CoreError.self) { try decode(#"{"command":["true"],"qpu":"auto","qpu_estimates":\#(list)}"#) }
            #expect(e?.field == field, "\(list)")
            #expect(e?.message.contains(why) == true, "\(list): \(e?.message ?? "")")
        }
    }
}
