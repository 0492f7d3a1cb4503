import Foundation
import PilotCore
@testable import PilotProtocol
import Testing

/// The submit body's fast reader (`SubmitRequest.decodeFast`) against the Decodable one: whatever
/// it reads, it reads as they do; whatever it is unsure of, it leaves to them.
@Suite struct SubmitFastDecodeTests {
    /// The Decodable way, as `APICoding.decodeRequest` reads a body the fast reader leaves.
    static func slow(_ text: String) throws -> SubmitRequest {
        let data = Data(text.utf8)
        let object = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        try SubmitRequest.keys.check(object, path: "")
        return try APICoding.decoder().decode(SubmitRequest.self, from: data)
    }

    static func fast(_ text: String) -> SubmitRequest? { SubmitRequest.decodeFast(Data(text.utf8)) }

    static let bodies = [
        #"{"tasks":[{"command":["/bin/true"]}]}"#,
        #"{"v":1,"tasks":[{"name":"a","command":["sh","-c","echo \"hi\"\n"],"cores":2,"gpus":1,"mem":"3G","time":"1m30s","time_limit":120}]}"#,
        #"{"tasks":[{"kind":"quantum","payload":"{\"circuit\":\"OPENQASM 2.0;\\nqreg q[2];\"}","qpu":"ideal-sim:1"}]}"#,
        #"{"tasks":[{"command":["x"],"env":{"B":"2","A":"1"},"custom":{"license":2},"cwd":"/tmp","capture_output":false}]}"#,
        #"{"tasks":[{"command":["x"],"nodes":2,"ranks_per_node":4,"cores_per_rank":2,"priority":-3,"retries":2,"crash_limit":5}]}"#,
        #"{"tasks":[{"command":["x"],"after":[1,2,3],"after_ok":true},{"command":["y"],"after":["4"]}],"workflow":7,"workload":9}"#,
        #"{"tasks":[{"command":["x"],"kind":null,"payload":null,"array_index":4,"pilot":"p1","qpu":"any"}]}"#,
        #"{"tasks":[{"command":["x"],"time":2.5,"cores":2.0,"mem":1073741824}]}"#,
        #"{"tasks":[{"command":["x"],"name":"caf\u00e9 \ud83d\ude00"}]}"#,
        #"{"tasks":[]}"#,
        #"{}"#,
    ]

    @Test(arguments: bodies)
    func whatItReadsItReadsAsTheDecodableReaderDoes(body: String) throws {
        let f = try #require(Self.fast(body), "the fast reader left a plain body: \(body)")
        let s = try Self.slow(body)
        #expect(f.tasks == s.tasks)
        #expect(f.v == s.v && f.workflow == s.workflow && f.workload == s.workload)
        #expect(f.array == nil && s.array == nil)
    }

    static let leftToDecodable = [
        #"{"tasks":[{"command":["x"],"array":"1-10"}]}"#,
        #"{"tasks":[{"command":["x"],"qpu":"auto","qpu_estimates":[{"device":"a","runtime":1}]}]}"#,
        #"{"tasks":[{"command":["x"],"colour":"red"}]}"#,
        #"{"tasks":[{"command":["x"]}],"extra":1}"#,
        #"{"tasks":[{"request":{"cores":1},"command":["x"]}]}"#,
        #"{"tasks":[{"cores":1}]}"#,
        #"{"tasks":[{"command":["x"],"cores":"many"}]}"#,
        #"{"tasks":[{"command":["x"],"kind":"magic"}]}"#,
        #"{"tasks":[{"command":["x"],"priority":-9007199254740993}]}"#,
        #"{"tasks":[{"command":["x"],"after":["a",1]}]}"#,
        #"{"tasks":[{"command":["x"],"command":["y"]}]}"#,
        #"{"tasks":{"command":["x"]}}"#,
        #"{"tasks":[["x"]]}"#,
        #"{"tasks":[{"command":["x"],"env":{"A":[[[[[[[[["deep"]]]]]]]]]}}]}"#,
        #"{"tasks":[{"command":["x"]}"#,
        #"[1]"#,
        "",
    ]

    /// Each of these either fails the Decodable way or is one the fast reader must not answer
    /// (arrays, estimates): it answers none, so the error a user sees is the Decodable reader's.
    @Test(arguments: leftToDecodable)
    func whatItIsUnsureOfItLeavesToTheDecodableReader(body: String) {
        #expect(Self.fast(body) == nil, "\(body)")
    }

    @Test func theAPIStillNamesTheFieldOfABadBody() throws {
        let body = Data(#"{"tasks":[{"command":["x"]},{"command":["y"],"cores":"many"}]}"#.utf8)
        do {
            _ = try APICoding.decodeRequest(SubmitRequest.self, from: body)
            Issue.record("a bad body was accepted")
        } catch let e as CoreError {
            #expect(e.field == "tasks[1].cores", "\(e)")
        }
    }
}
