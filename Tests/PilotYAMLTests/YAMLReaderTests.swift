import PilotYAML
import Testing

/// The shared reader on its own: every format inherits these behaviours.
@Suite struct YAMLReaderTests {
    func error(_ text: String, _ read: (YAMLValue) throws(YAMLError) -> Void = { _ in }) -> YAMLError? {
        do {
            try read(try YAMLDocument.parse(text, file: "f.yaml", limits: YAMLLimits(maxBytes: 4096, maxDepth: 8, maxNodes: 1000)))
            return nil
        } catch { return error }
    }

    @Test func duplicateKeysNameTheSecondOccurrenceAndThePath() throws {
        let e = try #require(error("a:\n  b: 1\n  c: 2\n  b: 3\n"))
        #expect(e.code == .duplicateKey)
        #expect(e.line == 4)
        #expect(e.field == "a.b")
        #expect(e.message == "key 'b' appears more than once (first at line 2)")
    }

    @Test func limitsAreCheckedBeforeAndAfterParsing() throws {
        #expect(error(String(repeating: "x", count: 5000))?.code == .tooLarge)
        #expect(error("a: " + String(repeating: "[", count: 20) + String(repeating: "]", count: 20))?.code == .tooDeep)
        // An alias bomb: small text, many nodes once expanded.
        let bomb = "a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
        #expect(error(bomb)?.code == .tooLarge)
        #expect(error("")?.code == .empty)
        #expect(error("a: [1, 2\n")?.code == .syntax)
    }

    @Test func typedReadsShareOneWording() throws {
        let e1 = try #require(error("n: four\n") { v throws(YAMLError) in _ = try v.mapping().required("n").int() })
        #expect(e1.message == "must be an integer, got 'four'")
        #expect(e1.field == "n")
        #expect(e1.line == 1 && e1.column == 4)
        let e2 = try #require(error("n: [1]\n") { v throws(YAMLError) in _ = try v.mapping().required("n").string() })
        #expect(e2.message == "must be a string, got a list")
        let e3 = try #require(error("n: 7\n") { v throws(YAMLError) in _ = try v.mapping().required("n").int(1...5) })
        #expect(e3.message == "must be between 1 and 5, got 7")
        let e4 = try #require(error("n: yes\n") { v throws(YAMLError) in _ = try v.mapping().required("n").bool() })
        #expect(e4.message == "must be true or false, got 'yes'", "YAML 1.1 booleans stay strings")
    }

    @Test func unknownAndMissingKeys() throws {
        let e = try #require(error("nodse: 1\n") { v throws(YAMLError) in try v.mapping().checkKeys(allowed: ["nodes", "cores"]) })
        #expect(e.code == .unknownKey)
        #expect(e.message == "unknown key 'nodse' (did you mean 'nodes'?)")
        let m = try #require(error("x:\n  y: 1\n") { v throws(YAMLError) in _ = try v.mapping().required("x").mapping().required("z") })
        #expect(m.code == .missingField)
        #expect(m.field == "x.z")
        #expect(m.line == 1)
    }

    @Test func scalarsAreTypedOnlyInPlainSpellings() throws {
        let v = try YAMLDocument.parse("a: 1\nb: \"1\"\nc: on\nd: 1:30\ne: ~\nf: 2.5\n", file: nil).mapping()
        #expect(v["a"]?.scalar == .int(1))
        #expect(v["b"]?.scalar == .string("1"))
        #expect(v["c"]?.scalar == .string("on"))
        #expect(v["d"]?.scalar == .string("1:30"))
        #expect(v["e"]?.scalar == .null)
        #expect(v["f"]?.scalar == .double(2.5))
    }

    @Test func errorsPrintFileLineColumnFieldAndReason() throws {
        let e = try #require(error("n: four\n") { v throws(YAMLError) in _ = try v.mapping().required("n").int() })
        #expect(e.description == "f.yaml:1:4: n: must be an integer, got 'four'")
    }
}
