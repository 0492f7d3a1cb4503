/// Parsers for the human spellings used on the command line and in files:
/// durations (`90`, `90s`, `10m`, `1h30m`, `2d`, `HH:MM:SS`) and sizes (`512M`, `2G`, `1.5GiB`).
public enum Quantity {
    public static func seconds(_ text: String, field: String = "time") throws(CoreError) -> Double {
        let s = text.trimmingCharacters(in: " \t")
        guard !s.isEmpty else { throw CoreError(.invalidQuantity, "empty duration", field: field) }
        if s.contains(":") {
            let parts = s.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count <= 3, let nums = Optional(parts.compactMap { Double($0) }), nums.count == parts.count,
                  nums.allSatisfy({ $0 >= 0 && $0.isFinite }) else {
                throw CoreError(.invalidQuantity, "'\(text)' is not a duration (expected [[HH:]MM:]SS)", field: field)
            }
            return nums.reduce(0) { $0 * 60 + $1 }
        }
        if let v = Double(s) {
            guard v >= 0, v.isFinite else { throw CoreError(.invalidQuantity, "duration must be ≥ 0, got '\(text)'", field: field) }
            return v
        }
        var total = 0.0
        var number = ""
        var sawUnit = false
        for ch in s {
            if ch.isNumber || ch == "." { number.append(ch); continue }
            let unit: Double
            switch ch {
            case "s": unit = 1
            case "m": unit = 60
            case "h": unit = 3600
            case "d": unit = 86400
            default: throw CoreError(.invalidQuantity, "'\(text)': unknown duration unit '\(ch)' (use s, m, h, d)", field: field)
            }
            guard let v = Double(number), v.isFinite else {
                throw CoreError(.invalidQuantity, "'\(text)' is not a duration", field: field)
            }
            total += v * unit
            number = ""
            sawUnit = true
        }
        guard number.isEmpty, sawUnit else { throw CoreError(.invalidQuantity, "'\(text)' is not a duration", field: field) }
        return total
    }

    public static func bytes(_ text: String, field: String = "mem") throws(CoreError) -> UInt64 {
        var s = text.trimmingCharacters(in: " \t")
        guard !s.isEmpty else { throw CoreError(.invalidQuantity, "empty size", field: field) }
        if s.hasSuffix("iB") || s.hasSuffix("ib") { s.removeLast(2) } else if s.hasSuffix("B") || s.hasSuffix("b") { s.removeLast() }
        var mult: Double = 1
        if let last = s.last, last.isLetter {
            switch last.uppercased() {
            case "K": mult = 1024
            case "M": mult = 1024 * 1024
            case "G": mult = 1024 * 1024 * 1024
            case "T": mult = 1024 * 1024 * 1024 * 1024
            default: throw CoreError(.invalidQuantity, "'\(text)': unknown size unit '\(last)' (use K, M, G, T)", field: field)
            }
            s.removeLast()
        }
        guard let v = Double(s), v >= 0, v.isFinite, v * mult < 1.8e19 else {
            throw CoreError(.invalidQuantity, "'\(text)' is not a size (e.g. 512M, 2G)", field: field)
        }
        return UInt64(v * mult)
    }
}

extension String {
    func trimmingCharacters(in set: String) -> String {
        var sub = Substring(self)
        while let f = sub.first, set.contains(f) { sub.removeFirst() }
        while let l = sub.last, set.contains(l) { sub.removeLast() }
        return String(sub)
    }
}
