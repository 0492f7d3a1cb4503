import CSlurm
import Foundation

extension LibSlurmClient {
    /// Expands "n[1-3,5]" into ["n1", "n2", "n3", "n5"] with Slurm's own parser.
    /// Needs no slurm.conf: the hostlist code does not depend on `slurm_init`.
    public static func expandHostlist(_ s: String) throws(SlurmError) -> [String] {
        let text = s.trimmingCharacters(in: .whitespaces)
        if text.isEmpty { return [] }
        // libslurm accepts an unclosed "n[1-" and returns garbage ("n]"), so
        // bracket balance is checked here first.
        var depth = 0
        for ch in text {
            if ch == "[" { depth += 1 } else if ch == "]" { depth -= 1 }
            guard (0...1).contains(depth) else {
                throw SlurmError(.invalidHostlist, "unbalanced brackets in hostlist '\(s)'")
            }
        }
        guard depth == 0 else { throw SlurmError(.invalidHostlist, "unclosed '[' in hostlist '\(s)'") }

        guard let list = slurm_hostlist_create(text) else {
            let (code, text) = SlurmLibrary.lastError()
            throw SlurmError(.invalidHostlist, "invalid hostlist '\(s)'", slurmErrno: code, slurmErrorText: text)
        }
        defer { slurm_hostlist_destroy(list) }
        var hosts: [String] = []
        while let host = slurm_hostlist_shift(list) {
            hosts.append(String(cString: host))
            free(host)
        }
        return hosts
    }
}
