import Foundation
import PilotCore
import PilotProtocol
import Testing

/// The live stream's hand-built record JSON is the API encoder's, byte for byte.
@Suite struct JournalRecordJSONTests {
    static func encoded(_ r: JournalRecord) throws -> String {
        let enc = APICoding.encoder()
        enc.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try enc.encode(r), as: UTF8.self)
    }

    @Test func handBuiltEqualsEncoded() throws {
        var g = SystemRandomNumberGenerator()
        let texts = ["", "plain", "a/b", "quote\"back\\slash", "tab\tnew\nline\rcr", "\u{01}\u{1f}\u{08}\u{0c}", "é ü 量子 🚀",
                     "{\"device\":\"small-7\",\"slots\":[0]}"]
        let ats = [0.0, 1.0, 1796352556.1238718, 1796352556.5, 1e-3, 123456789.000001]
        for i in 0..<2000 {
            func maybe<T>(_ v: T) -> T? { Bool.random(using: &g) ? v : nil }
            let r = JournalRecord(seq: Int64(i) * 7919, at: ats.randomElement(using: &g)! + Double(i % 3),
                                  kind: JournalKind.allCases.randomElement(using: &g)!,
                                  task: maybe(Int64.random(in: 1...1 << 40, using: &g)), taskEnd: maybe(Int64(i)),
                                  attempt: maybe(Int.random(in: 0...9, using: &g)), agent: maybe(i),
                                  pilot: maybe(texts.randomElement(using: &g)!), workflow: maybe(Int64(i)),
                                  stage: maybe(texts.randomElement(using: &g)!), workload: maybe(Int64(i + 1)),
                                  state: maybe(texts.randomElement(using: &g)!), reason: maybe(texts.randomElement(using: &g)!),
                                  detail: maybe(texts.randomElement(using: &g)!))
            #expect(r.apiJSON == (try Self.encoded(r)), "record \(i)")
        }
    }

    @Test(arguments: [Int64(0), 7, -7, 10, 1_796_409_039, -1_000_000, .max, .min])
    func integersAreWrittenAsSwiftPrintsThem(_ v: Int64) {
        var out: [UInt8] = Array("x".utf8)
        JSONLiteral.appendInteger(v, to: &out)
        #expect(String(decoding: out, as: UTF8.self) == "x\(v)")
    }
}
