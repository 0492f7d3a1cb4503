import Foundation
import Testing
@testable import PilotQuantum

/// Reading a payload once gives what the two old readings gave: `isPUBJob` by `JSONDecoder`, then
/// the job by `QuantumJob.read`.
@Suite struct QuantumPayloadTests {
    static let single = "{\"circuit\":\"OPENQASM 2.0;\\ninclude \\\"qelib1.inc\\\";\\nqreg q[1];\\nh q[0];\\n\",\"device\":\"ideal-sim\",\"shots\":10,\"seed\":18446744073709551615,\"observables\":[\"Z\"]}"

    @Test func singleCircuitJob() throws {
        guard case .job(let job) = QuantumPayload.read(Self.single) else { Issue.record("not read as a job"); return }
        #expect(job == (try QuantumJob.read(Data(Self.single.utf8))))
        #expect(job.seed == UInt64.max)
        #expect(!QuantumPayload.isPUBJob(Self.single))
    }

    /// The old answer, for reference.
    private struct Probe: Decodable {
        var isPUBJob: Bool
        private enum CodingKeys: String, CodingKey { case pubs }
        init(from decoder: any Decoder) throws { isPUBJob = try decoder.container(keyedBy: CodingKeys.self).contains(.pubs) }
    }
    private func decoderSays(_ text: String) -> Bool { (try? JSONDecoder().decode(Probe.self, from: Data(text.utf8)).isPUBJob) ?? false }

    @Test func pubJobsAndOddTextsAnswerAsJSONDecoderDid() {
        let cases: [(String, Bool)] = [
            ("{\"pubs\":[],\"primitive\":\"sampler\"}", true),
            ("{\"pubs\":null}", true),
            // The key spelt with an escape is still `pubs`.
            ("{\"\\u0070ubs\":[]}", true),
            ("{\"p\\u0075bs\":[],\"x\":\"\\n\"}", true),
            // Refused by the PUB reader's parser (duplicate key): whatever JSONDecoder says.
            ("{\"pubs\":[],\"pubs\":[]}", decoderSays("{\"pubs\":[],\"pubs\":[]}")),
            ("[{\"pubs\":[]}]", false),
            ("{\"a\":{\"pubs\":1}}", false),
            ("not json", false),
            ("", false),
            (String(repeating: "[", count: 100) + String(repeating: "]", count: 100), false),
            ("{\"pubs\":" + String(repeating: "[", count: 100) + String(repeating: "]", count: 100) + "}", true),
        ]
        for (text, pub) in cases {
            #expect(decoderSays(text) == pub, "\(text.prefix(40))")
            #expect(QuantumPayload.isPUBJob(text) == pub, "\(text.prefix(40))")
            if case .pubJob = QuantumPayload.read(text) { #expect(pub) } else { #expect(!pub) }
        }
    }

    @Test func invalidSingleJobsSayWhy() {
        guard case .invalid(let e) = QuantumPayload.read("{\"circuit\":1,\"device\":\"x\",\"shots\":0}") else {
            Issue.record("accepted"); return
        }
        #expect(e.field == "circuit")
        guard case .invalid = QuantumPayload.read("{oops") else { Issue.record("accepted"); return }
    }
}
