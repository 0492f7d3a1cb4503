/// "Did you mean" for misspelt keys, motifs, stage names and flags: the one implementation every
/// reader and the API use, so a typo gets the same hint wherever it is made.
public enum Suggestion {
    /// The candidate closest to `word` by edit distance, if close enough to be a plausible typo.
    public static func closest<C: Collection>(to word: String, in candidates: C) -> String? where C.Element == String {
        let w = Array(word.lowercased())
        guard !w.isEmpty, w.count <= 64 else { return nil }
        var best: (String, Int)?
        for c in candidates.sorted() {
            let d = distance(w, Array(c.lowercased()))
            let limit = max(1, min(3, c.count / 3))
            if d <= limit, best == nil || d < best!.1 { best = (c, d) }
        }
        if let best { return best.0 }
        // A truncated name (`heartbeat` for `heartbeat_interval`) is a typo too far for edit distance.
        guard w.count >= 3 else { return nil }
        let lw = word.lowercased()
        return candidates.sorted().first { $0.lowercased().hasPrefix(lw) || lw.hasPrefix($0.lowercased()) }
    }

    /// ` (did you mean 'x'?)`, or nothing when no candidate is close.
    public static func hint<C: Collection>(for word: String, in candidates: C) -> String where C.Element == String {
        closest(to: word, in: candidates).map { " (did you mean '\($0)'?)" } ?? ""
    }

    /// Levenshtein distance with adjacent transpositions counted as one edit.
    public static func distance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var prev2 = [Int](repeating: 0, count: b.count + 1)
        var prev = Array(0...b.count)
        var cur = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            cur[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    cur[j] = min(cur[j], prev2[j - 2] + 1)
                }
            }
            (prev2, prev, cur) = (prev, cur, prev2)
        }
        return prev[b.count]
    }
}
