/// A set of non-negative integers spelled `A-B[:S]`, `A`, or a comma list of those (`0-99:3,200`).
///
/// PilotCore's `ArrayRange` has the same syntax, but its count overflows (and traps) on bounds near
/// `Int.max`; a workflow file is untrusted input, so this one counts with overflow checks.
public struct IndexRange: Sendable, Hashable, Codable {
    public struct Segment: Sendable, Hashable, Codable {
        public var first: Int
        public var last: Int
        public var step: Int
        public var count: Int { (last - first) / step + 1 }
    }

    public var segments: [Segment]
    public private(set) var count: Int

    /// Largest bound accepted; far above any real index, far below overflow.
    public static let maxBound = 1_000_000_000_000_000

    public init(parsing text: String, maxCount: Int) throws(IndexRangeError) {
        var segs: [Segment] = []
        var total = 0
        for raw in text.split(separator: ",", omittingEmptySubsequences: false) {
            let part = raw.trimmed
            let stepSplit = part.split(separator: ":", omittingEmptySubsequences: false)
            guard stepSplit.count <= 2 else { throw IndexRangeError("'\(part)' has more than one ':'") }
            var step = 1
            if stepSplit.count == 2 {
                guard let s = Self.number(stepSplit[1]), s > 0 else {
                    throw IndexRangeError("step in '\(part)' must be a positive integer")
                }
                step = s
            }
            let bounds = stepSplit[0].split(separator: "-", omittingEmptySubsequences: false)
            guard bounds.count == 1 || bounds.count == 2, let a = Self.number(bounds[0]) else {
                throw IndexRangeError("'\(part)' is not a range (expected A-B[:STEP], A, or a comma list of those)")
            }
            var b = a
            if bounds.count == 2 {
                guard let bb = Self.number(bounds[1]) else {
                    throw IndexRangeError("'\(part)': range end must be a non-negative integer")
                }
                guard bb >= a else { throw IndexRangeError("'\(part)': range end \(bb) is before start \(a)") }
                b = bb
            }
            let seg = Segment(first: a, last: b, step: step)
            total += seg.count
            guard total <= maxCount else {
                throw IndexRangeError("'\(text)' has more than \(maxCount) values")
            }
            segs.append(seg)
        }
        segments = segs
        count = total
    }

    public var values: [Int] {
        var out: [Int] = []
        out.reserveCapacity(count)
        for s in segments { out.append(contentsOf: stride(from: s.first, through: s.last, by: s.step)) }
        return out
    }

    /// The value at position `k` without materialising the whole set.
    public func value(at k: Int) -> Int {
        var rest = k
        for s in segments {
            if rest < s.count { return s.first + rest * s.step }
            rest -= s.count
        }
        preconditionFailure("index \(k) out of range 0..<\(count)")
    }

    private static func number(_ s: Substring) -> Int? {
        let t = s.trimmed
        guard !t.isEmpty, t.count <= 16, t.allSatisfy(\.isASCIIDigit), let v = Int(t), v <= maxBound else { return nil }
        return v
    }
}

public struct IndexRangeError: Error, Sendable, Equatable {
    public var message: String
    init(_ message: String) { self.message = message }
}

extension StringProtocol {
    var trimmed: String {
        var sub = Substring(self)
        while let f = sub.first, f == " " || f == "\t" { sub.removeFirst() }
        while let l = sub.last, l == " " || l == "\t" { sub.removeLast() }
        return String(sub)
    }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
