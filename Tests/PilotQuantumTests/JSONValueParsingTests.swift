import Foundation
@testable import PilotQuantum
import Testing

/// The PUB job reader's JSON parser against Foundation's on the same texts, and its refusals.
@Suite struct JSONValueParsingTests {
    static func same(_ a: JSONValue, _ b: Any) -> Bool {
        switch a {
        case .null: return b is NSNull
        case .bool(let x): return (b as? Bool) == x && !(b is Int && !(b is Bool))
        case .number(let x, _): return (b as? NSNumber)?.doubleValue == x
        case .string(let s): return (b as? String) == s
        case .array(let items):
            guard let other = b as? [Any], other.count == items.count else { return false }
            return zip(items, other).allSatisfy { same($0, $1) }
        case .object(let fields):
            guard let other = b as? [String: Any], other.count == fields.count else { return false }
            return fields.allSatisfy { k, v in other[k].map { same(v, $0) } ?? false }
        }
    }

    @Test(arguments: [
        #"{"a": [1, -2.5, 3e2, 0.1, 18446744073709551615], "b": {"c": null, "d": true, "e": false}}"#,
        #"["\u00e9\ud83d\ude00\n\t\"\\\/", "plain", ""]"#,
        #"  [ [ ] , { } , -0 , 1.0E-3 ]  "#,
    ])
    func agreesWithFoundation(_ text: String) throws {
        let ours = try JSONValue.parse(Data(text.utf8))
        let theirs = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
        #expect(Self.same(ours, theirs))
    }

    @Test func keepsLargeIntegersExact() throws {
        guard case .array(let items) = try JSONValue.parse(Data("[18446744073709551615, 7, 2.0, -1, 0.5]".utf8)) else {
            Issue.record("not a list"); return
        }
        let exact: [UInt64?] = items.map { item -> UInt64? in
            if case .number(_, let e) = item { return e }
            return nil
        }
        #expect(exact == [UInt64.max, 7, 2, nil, nil])
    }

    @Test(arguments: ["", "[1,]", "{\"a\" 1}", "[01]", "\"abc", "[1] x", "{\"a\":1,\"a\":2}", "[1.]", "nul", "\"\\x\"", "[\"\\ud800\"]"])
    func refusesInvalidText(_ text: String) {
        #expect(throws: JSONValue.SyntaxError.self) { try JSONValue.parse(Data(text.utf8)) }
    }
}
