/// The Linux CPU list format (`Cpus_allowed_list`, cpuset.cpus, `taskset -c`): `"0-3,8,10-11"`.
public enum CPUList {
    /// Parses a list into sorted, de-duplicated CPU numbers. Accepts surrounding whitespace and
    /// an optional `:stride` on ranges (`0-7:2`), which the kernel also accepts.
    public static func parse(_ s: String) throws(TopologyError) -> [Int] {
        let text = s.trimmingWhitespace()
        if text.isEmpty { return [] }
        var cpus = Set<Int>()
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let part = Substring(String(item).trimmingWhitespace())
            guard !part.isEmpty else { throw malformed(s, "empty element") }
            let rangeAndStride = part.split(separator: ":", omittingEmptySubsequences: false)
            guard rangeAndStride.count <= 2 else { throw malformed(s, "'\(part)' has more than one ':'") }
            var stride = 1
            if rangeAndStride.count == 2 {
                stride = try number(rangeAndStride[1], in: s)
                guard stride > 0 else { throw malformed(s, "stride must be positive in '\(part)'") }
            }
            let bounds = rangeAndStride[0].split(separator: "-", omittingEmptySubsequences: false)
            switch bounds.count {
            case 1:
                guard rangeAndStride.count == 1 else { throw malformed(s, "stride without a range in '\(part)'") }
                cpus.insert(try number(bounds[0], in: s))
            case 2:
                let low = try number(bounds[0], in: s), high = try number(bounds[1], in: s)
                guard low <= high else { throw malformed(s, "descending range '\(part)'") }
                for cpu in Swift.stride(from: low, through: high, by: stride) { cpus.insert(cpu) }
            default:
                throw malformed(s, "'\(part)' is not a number or a range")
            }
        }
        return cpus.sorted()
    }

    /// Formats CPU numbers as the kernel does: sorted, de-duplicated, every consecutive run (pairs too) as a range.
    public static func format(_ cpus: [Int]) -> String {
        let sorted = Array(Set(cpus)).sorted()
        var parts: [String] = []
        var i = 0
        while i < sorted.count {
            var j = i
            while j + 1 < sorted.count, sorted[j + 1] == sorted[j] + 1 { j += 1 }
            parts.append(i == j ? "\(sorted[i])" : "\(sorted[i])-\(sorted[j])")
            i = j + 1
        }
        return parts.joined(separator: ",")
    }

    // Bounded so a typo like "0-99999999999" cannot make parse allocate a huge set.
    static let maxCPU = 1 << 20

    private static func number(_ text: Substring, in whole: String) throws(TopologyError) -> Int {
        guard !text.isEmpty, text.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(text) else {
            throw malformed(whole, "'\(text)' is not a non-negative integer")
        }
        guard value <= maxCPU else { throw malformed(whole, "\(value) exceeds the limit of \(maxCPU)") }
        return value
    }

    private static func malformed(_ s: String, _ why: String) -> TopologyError {
        TopologyError(.invalidCPUList, "malformed CPU list \"\(s)\": \(why)")
    }
}

extension String {
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(scalars[first...last])
    }
}
