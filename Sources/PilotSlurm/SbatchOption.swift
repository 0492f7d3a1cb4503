/// One `--name[=value]` entry from a profile's `sbatch_extra`.
struct SbatchOption: Sendable, Equatable {
    let name: String
    let value: String?

    init?(_ text: String) {
        guard text.hasPrefix("--"), !text.contains(where: { $0.isWhitespace }) else { return nil }
        let body = text.dropFirst(2)
        let parts = body.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        let name = String(parts[0])
        guard let first = name.first, first.isLetter,
              name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }) else { return nil }
        if parts.count == 2 && parts[1].isEmpty { return nil }
        self.name = name
        self.value = parts.count == 2 ? String(parts[1]) : nil
    }
}
