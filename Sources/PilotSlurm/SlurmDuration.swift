import Foundation

/// A duration written the way Slurm's `--time` takes it.
public struct SlurmDuration: Sendable, Equatable, Hashable, Codable, CustomStringConvertible {
    public var seconds: Int

    public init(seconds: Int) { self.seconds = seconds }

    /// Accepts Slurm's forms: `MM`, `MM:SS`, `HH:MM:SS`, `D-HH`, `D-HH:MM`, `D-HH:MM:SS`.
    public init(parsing text: String) throws(SlurmDurationError) {
        let s = text.trimmingCharacters(in: .whitespaces)
        func fail(_ reason: String) -> SlurmDurationError { SlurmDurationError(text: text, reason: reason) }
        guard !s.isEmpty else { throw fail("empty") }

        var days = 0
        var clock = Substring(s)
        if let dash = s.firstIndex(of: "-") {
            guard let d = Self.number(s[..<dash]) else { throw fail("days before '-' must be a number") }
            days = d
            clock = s[s.index(after: dash)...]
        }
        let parts = clock.split(separator: ":", omittingEmptySubsequences: false)
        var values: [Int] = []
        for part in parts {
            guard let v = Self.number(part) else { throw fail("'\(part)' is not a number") }
            values.append(v)
        }
        let hasDays = s.contains("-")
        var total: Int
        switch (hasDays, values.count) {
        case (false, 1): total = values[0] * 60                                   // MM
        case (false, 2): total = values[0] * 60 + values[1]                       // MM:SS
        case (false, 3): total = values[0] * 3600 + values[1] * 60 + values[2]    // HH:MM:SS
        case (true, 1): total = values[0] * 3600                                  // D-HH
        case (true, 2): total = values[0] * 3600 + values[1] * 60                 // D-HH:MM
        case (true, 3): total = values[0] * 3600 + values[1] * 60 + values[2]     // D-HH:MM:SS
        default:
            throw fail("expected MM, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS")
        }
        // Slurm itself tolerates e.g. "90:00" (minutes > 59 in MM:SS), but in
        // the H/M/S positions of longer forms an overflow is almost surely a typo.
        let lastField = (hasDays && values.count == 2) ? "minutes" : "seconds"
        if values.count >= 2, let last = values.last, last > 59 { throw fail("\(lastField) must be 0-59") }
        if values.count == 3 && values[1] > 59 { throw fail("minutes must be 0-59") }
        if hasDays && values[0] > 23 { throw fail("hours must be 0-23 when days are given") }
        total += days * 86_400
        guard total > 0 else { throw fail("must be longer than zero") }
        self.seconds = total
    }

    /// Slurm time limits are whole minutes; a partial minute rounds up so a
    /// job never gets less time than asked.
    public var minutesRoundedUp: UInt32 { UInt32((seconds + 59) / 60) }

    /// `D-HH:MM:SS`, or `HH:MM:SS` below a day.
    public var description: String {
        let d = seconds / 86_400, h = (seconds % 86_400) / 3600, m = (seconds % 3600) / 60, s = seconds % 60
        let clock = String(format: "%02d:%02d:%02d", h, m, s)
        return d > 0 ? "\(d)-\(clock)" : clock
    }

    private static func number(_ s: Substring) -> Int? {
        guard !s.isEmpty, s.count <= 9, s.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(s)
    }
}
