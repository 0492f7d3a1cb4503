/// Seeded random mutations of valid inputs: the malformed, truncated, oversized, deeply nested and
/// wrongly typed variants a hostile or broken client might send.
struct Mutator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func int(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }

    static let tokens = ["{", "}", "[", "]", ":", ",", "-", "\"", "'", "\n", "  ", "\t", "null", "true", "-1", "0",
                         "1e309", "99999999999999999999", "NaN", "&a", "*a", "!!binary", "<<: *a", "#", "%", "\\u0000",
                         "\u{0}", "é", "🙂", "::", "- - -", "{{", "}}", "[[[[", "]]]]", "\"\"\"", "~", "?", "|", ">"]

    mutating func mutate(_ input: String) -> String {
        var bytes = Array(input.utf8)
        for _ in 0..<(1 + int(4)) {
            guard !bytes.isEmpty else { bytes = Array(Self.tokens[int(Self.tokens.count)].utf8); continue }
            let i = int(bytes.count)
            switch int(8) {
            case 0: bytes[i] ^= UInt8(truncatingIfNeeded: 1 << int(8))
            case 1: bytes.removeSubrange(i..<min(bytes.count, i + 1 + int(16)))
            case 2: bytes.insert(contentsOf: Self.tokens[int(Self.tokens.count)].utf8, at: i)
            case 3: bytes = Array(bytes.prefix(i))                                   // truncated
            case 4: let j = min(bytes.count, i + 1 + int(40)); bytes.insert(contentsOf: bytes[i..<j], at: j)
            case 5: bytes.insert(contentsOf: String(repeating: "[", count: 200 + int(2000)).utf8, at: i)  // deep
            case 6: bytes.insert(contentsOf: String(repeating: "9", count: 50 + int(400)).utf8, at: i)   // out of range
            default: bytes[i] = UInt8(truncatingIfNeeded: next())
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
