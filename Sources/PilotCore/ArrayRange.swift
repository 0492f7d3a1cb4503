/// Task-array index sets as written on the command line: `1-1000`, `0-99:3`, `1,4,9`, or a mix.
public struct ArrayRange: Sendable, Codable, Hashable {
    public struct Segment: Sendable, Codable, Hashable {
        public var first: Int
        public var last: Int
        public var step: Int
    }
    public var segments: [Segment]

    /// Upper bound on one array, so a typo (`1-1e12`) can't exhaust the manager's memory.
    public static let maxCount = 10_000_000

    public init(_ text: String) throws(CoreError) {
        var segs: [Segment] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let p = String(part).trimmingCharacters(in: " ")
            let stepSplit = p.split(separator: ":", omittingEmptySubsequences: false)
            guard stepSplit.count <= 2 else { throw CoreError(.invalidQuantity, "'\(text)': bad array range '\(p)'", field: "array") }
            var step = 1
            if stepSplit.count == 2 {
                guard let s = Int(stepSplit[1]), s > 0 else {
                    throw CoreError(.invalidQuantity, "'\(text)': step must be a positive integer", field: "array")
                }
                step = s
            }
            let bounds = stepSplit[0].split(separator: "-", omittingEmptySubsequences: false)
            guard bounds.count == 1 || bounds.count == 2, let a = Int(bounds[0]), a >= 0 else {
                throw CoreError(.invalidQuantity, "'\(text)': bad array range '\(p)' (expected A-B[:STEP] or A)", field: "array")
            }
            var b = a
            if bounds.count == 2 {
                guard let bb = Int(bounds[1]), bb >= a else {
                    throw CoreError(.invalidQuantity, "'\(text)': range end must be an integer ≥ start", field: "array")
                }
                b = bb
            }
            // Checked before `count` adds segments up, so huge bounds can't overflow it.
            guard (b - a) / step < Self.maxCount else {
                throw CoreError(.invalidQuantity, "'\(text)': more than \(Self.maxCount) tasks in one array", field: "array")
            }
            segs.append(Segment(first: a, last: b, step: step))
            guard segs.count <= 10_000 else { throw CoreError(.invalidQuantity, "'\(text)': too many ranges", field: "array") }
        }
        segments = segs
        guard segments.reduce(0, { $0 + ($1.last - $1.first) / $1.step + 1 }) <= Self.maxCount else {
            throw CoreError(.invalidQuantity, "'\(text)': \(count) tasks exceed the limit of \(Self.maxCount) per array", field: "array")
        }
    }

    public var count: Int { segments.reduce(0) { $0 + ($1.last - $1.first) / $1.step + 1 } }

    public var indices: [Int] {
        var out: [Int] = []
        out.reserveCapacity(count)
        for s in segments { out.append(contentsOf: stride(from: s.first, through: s.last, by: s.step)) }
        return out
    }
}
