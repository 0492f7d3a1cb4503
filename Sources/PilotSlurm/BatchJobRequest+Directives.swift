extension BatchJobRequest {
    /// Builds the request from a script's `#SBATCH` lines, as sbatch does: the
    /// lines before the first command, each `--name[=value]` (values may be in
    /// double quotes). Options with no job-descriptor field land in `sbatchOnly`.
    ///
    /// The pilot's rendered script declares everything in these lines, so the
    /// request derived here is the one the script means, on either path.
    public init(script: String, workingDirectory: String, environment: [String: String]) throws(SlurmError) {
        self.init(script: script, name: "", workingDirectory: workingDirectory, environment: environment)
        for option in try Self.directives(in: script) where !SbatchOptionCatalog.apply(option, to: &self) {
            sbatchOnly.append(option)
        }
        cluster = Self.cluster(in: script)
        if let conf = cluster?.slurmConf { self.environment["SLURM_CONF"] = conf }
    }

    /// The `#SWIFTPILOT cluster=NAME slurm_conf=PATH` line the pilot template writes for a
    /// profile whose `cluster:` has its own slurm.conf: sbatch ignores it, the manager and
    /// `--dry-run` read where the pilot goes from it, as from the `#SBATCH` lines.
    static func cluster(in script: String) -> SlurmCluster? {
        for raw in script.split(separator: "\n") {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("#!") { continue }
            guard line.hasPrefix("#") else { break }
            guard line.hasPrefix(Self.clusterMarker) else { continue }
            var fields: [String: String] = [:]
            for word in line.dropFirst(Self.clusterMarker.count).split(separator: " ") {
                let kv = word.split(separator: "=", maxSplits: 1)
                if kv.count == 2 { fields[String(kv[0])] = String(kv[1]) }
            }
            guard let name = fields["cluster"] else { return nil }
            return SlurmCluster(name: name, slurmConf: fields["slurm_conf"])
        }
        return nil
    }

    public static let clusterMarker = "#SWIFTPILOT "

    /// The options of a script's `#SBATCH` lines, in order.
    public static func directives(in script: String) throws(SlurmError) -> [SbatchOption] {
        var result: [SbatchOption] = []
        for (number, raw) in script.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if number == 0 && line.hasPrefix("#!") { continue }
            if line.isEmpty { continue }
            // sbatch stops at the first line that is not a comment.
            guard line.hasPrefix("#") else { break }
            guard line.hasPrefix("#SBATCH") else { continue }
            for word in try words(line.dropFirst("#SBATCH".count), line: number + 1) {
                guard let option = SbatchOption(word) else {
                    throw SlurmError(.invalidRequest, "script line \(number + 1): '\(word)' is not an sbatch option this reader takes (--name or --name=value)")
                }
                result.append(option)
            }
        }
        return result
    }

    /// Splits at blanks outside double quotes and drops the quotes, like sbatch's
    /// own `#SBATCH` reader. A `#` after a blank starts a comment.
    private static func words(_ text: Substring, line: Int) throws(SlurmError) -> [String] {
        var words: [String] = []
        var current = ""
        var quoted = false
        var escaped = false
        var started = false
        for c in text {
            if escaped {
                current.append(c)
                escaped = false
            } else if c == "\\" && quoted {
                escaped = true
            } else if c == "\"" {
                quoted.toggle()
                started = true
            } else if c.isWhitespace && !quoted {
                if started { words.append(current) }
                current = ""
                started = false
            } else if c == "#" && !quoted && !started {
                break
            } else {
                current.append(c)
                started = true
            }
        }
        guard !quoted else { throw SlurmError(.invalidRequest, "script line \(line): unbalanced double quote") }
        if started { words.append(current) }
        return words
    }
}
