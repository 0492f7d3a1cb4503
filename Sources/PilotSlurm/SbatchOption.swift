/// One sbatch option, `--name` or `--name=value`, with its name in sbatch's long
/// spelling: short letters (`-M`), underscores (`mail_type`) and long aliases are
/// folded so later rules compare like with like.
public struct SbatchOption: Sendable, Equatable, Hashable, CustomStringConvertible {
    public let name: String
    public let value: String?

    /// `name` may be a long name, a one-letter short name or a profile key with underscores.
    public init?(name: String, value: String?) {
        let canonical = SbatchOptionCatalog.canonicalName(name)
        guard let first = canonical.first, first.isLetter,
              canonical.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }) else { return nil }
        // #SBATCH is one line; a newline would end it and start a shell command.
        if let value, value.isEmpty || value.contains(where: \.isNewline) { return nil }
        self.name = canonical
        self.value = value
    }

    /// Parses `--name`, `--name=value`, `-X` or `-Xvalue` (sbatch's own spellings).
    public init?(_ text: String) {
        if text.hasPrefix("--") {
            let parts = text.dropFirst(2).split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard !parts[0].contains(where: \.isWhitespace) else { return nil }
            self.init(name: String(parts[0]), value: parts.count == 2 ? String(parts[1]) : nil)
        } else if text.hasPrefix("-"), text.count >= 2, let letter = text.dropFirst().first, letter.isLetter {
            let rest = String(text.dropFirst(2))
            guard SbatchOptionCatalog.longName(forShort: letter) != nil else { return nil }
            self.init(name: String(letter), value: rest.isEmpty ? nil : rest)
        } else {
            return nil
        }
    }

    /// The text after `#SBATCH ` or one `sbatch` argument. sbatch splits `#SBATCH`
    /// lines at blanks but honours double quotes, so values with blanks are quoted.
    public var directive: String {
        guard let value else { return "--\(name)" }
        if value.contains(where: { $0.isWhitespace || $0 == "\"" }) {
            return "--\(name)=\"\(value.replacingOccurrences(of: "\"", with: "\\\""))\""
        }
        return "--\(name)=\(value)"
    }

    /// One argument for `sbatch`'s command line, where no quoting is needed.
    public var argument: String { value.map { "--\(name)=\($0)" } ?? "--\(name)" }

    public var description: String { directive }
}
