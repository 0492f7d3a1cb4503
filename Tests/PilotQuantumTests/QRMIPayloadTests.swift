import Foundation
@testable import PilotQuantum
import Testing

/// The task runner's input built from PUB jobs: program id, OpenQASM 3 circuits that read back as
/// the same circuit, binding columns in Qiskit's order, observables, and errors naming the field.
@Suite struct QRMIPayloadTests {
    static func json(_ payload: QRMIPayload) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: payload.jsonData()) as? [String: Any])
    }

    @Test func samplerJobInOpenQASM2BecomesAnOpenQASM3PUBWithItsShots() throws {
        let job = """
            {"primitive": "sampler", "shots": 300, "pubs": [{"circuit": "OPENQASM 2.0;\\ninclude \\"qelib1.inc\\";\\nqreg q[3];\\ncreg m[3];\\nh q[0];\\ncu1(0.25) q[0],q[1];\\nrzz(1e-05) q[1],q[2];\\nsxdg q[2];\\nu(0.1,0.2,0.3) q[0];\\nid q[1];\\nmeasure q -> m;\\n"}]}
            """
        let payload = try QRMIPayload.build(pubJob: job)
        let doc = try Self.json(payload)
        #expect(doc["program_id"] as? String == "sampler")
        let parameters = try #require(doc["parameters"] as? [String: Any])
        #expect(parameters["version"] as? Int == 2)
        let pub = try #require((parameters["pubs"] as? [[Any]])?.first)
        #expect(pub.count == 3)
        #expect(pub[1] is NSNull)
        #expect(pub[2] as? Int == 300)
        let text = try #require(pub[0] as? String)
        #expect(text.hasPrefix("OPENQASM 3.0;\ninclude \"stdgates.inc\";\n"))
        #expect(text.contains("gate rzz(theta) a, b {") && text.contains("gate sxdg a {"))
        #expect(text.contains("cp(0.25) q[0], q[1];") && text.contains("U(0.1, 0.2, 0.3) q[0];"))
        #expect(text.contains("m[2] = measure q[2];"))
        #expect(!text.contains("id q"))
        // Read back, the OpenQASM 3 circuit is the job's circuit (up to a global phase).
        let original = try PUBJob.parse(job).pubs[0].circuit.template
        let reread = try QASMParser.parse(text, fileName: "payload.qasm")
        let sim = StateVectorSimulator(threads: 1)
        let p1 = try sim.probabilities(original.unitaryPart), p2 = try sim.probabilities(reread.unitaryPart)
        #expect(p1.count == p2.count)
        for (a, b) in zip(p1, p2) { #expect(abs(a - b) < 1e-12) }
        #expect(reread.classicalRegisters == original.classicalRegisters)
    }

    @Test func estimatorKeepsOpenQASM3InputsAndOrdersBindingColumnsAsQiskitDoes() throws {
        let circuit = #"OPENQASM 3.0;\ninclude \"stdgates.inc\";\ninput float[64] theta_2;\ninput float[64] theta_10;\ninput float[64] a;\nqubit[2] q;\nry(theta_2) q[0];\nry(theta_10) q[1];\nrz(a) q[0];\ncx q[0], q[1];\n"#
        let job = """
            {"primitive": "estimator", "pubs": [{"circuit": "\(circuit)", "parameters": ["theta_10", "a", "theta_2"],
              "parameter_values": [[1, 2, 3], [4, 5, 6]], "observables": [["ZZ"], [{"XI": 0.5, "IX": 0.5}]], "precision": 0.02},
              {"circuit": "\(circuit)", "parameter_values": [0.5, 0.25, 0.125], "observables": [["XI", 0.5], ["IX", 0.5], ["XI", 0.25]], "shots": 400}]}
            """
        let payload = try QRMIPayload.build(pubJob: job)
        #expect(payload.programID == .estimator)
        let pubs = try #require((try Self.json(payload)["parameters"] as? [String: Any])?["pubs"] as? [[Any]])
        #expect(pubs.count == 2)
        #expect(pubs[0][0] as? String == circuit.replacingOccurrences(of: "\\n", with: "\n").replacingOccurrences(of: "\\\"", with: "\""))
        // Qiskit's order is by name: a, theta_10, theta_2; the job gave theta_10, a, theta_2.
        #expect(QRMIPayload.qiskitOrder(["theta_2", "theta_10", "a"]) == ["a", "theta_10", "theta_2"])
        #expect(pubs[0][2] as? [[Double]] == [[2, 1, 3], [5, 4, 6]])
        // A broadcast observable array of shape (2, 1).
        let observables = try #require(pubs[0][1] as? [[[String: Double]]])
        #expect(observables == [[["ZZ": 1]], [["XI": 0.5, "IX": 0.5]]])
        #expect(pubs[0][3] as? Double == 0.02)
        // Without a parameters list the columns are the declaration order (theta_2, theta_10, a).
        #expect(pubs[1][2] as? [Double] == [0.125, 0.25, 0.5])
        #expect(pubs[1][1] as? [String: Double] == ["XI": 0.75, "IX": 0.5], "repeated labels summed")
        #expect(pubs[1][3] as? Double == 0.05, "400 shots per term is a precision of 1/√400")
    }

    @Test func badPayloadsNameTheFieldAndWhy() {
        let cases: [(String, String)] = [
            (#"{"primitive": "sampler"}"#, "pubs: missing"),
            (#"{"primitive": "optimizer", "pubs": []}"#, "primitive: must be"),
            (#"{"primitive": "sampler", "pubs": [{"circuit": "OPENQASM 2.0;\nqreg q[1];\nfoo q[0];\n"}]}"#, "pubs[0].circuit"),
            (#"{"primitive": "estimator", "pubs": [{"circuit": "OPENQASM 2.0;\nqreg q[1];\n"}]}"#, "pubs[0].observables: missing"),
        ]
        for (job, expected) in cases {
            #expect {
                _ = try QRMIPayload.build(pubJob: job)
            } throws: { error in
                guard let e = error as? QuantumError else { return false }
                return "\(e)".hasPrefix(expected)
            }
        }
    }
}
