/// Character whitelists for profile values that end up in `#SBATCH` lines and
/// shell commands, where a stray space or `;` would change their meaning.
struct StringPattern: Sendable {
    let allowed: Set<Character>
    let explanation: String

    func matches(_ s: String) -> Bool { !s.isEmpty && s.allSatisfy { allowed.contains($0) } }

    static let alphanumerics = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")

    /// Partition, account, QoS and device names; commas allow Slurm's lists.
    static let slurmName = StringPattern(
        allowed: alphanumerics.union("_.,-"),
        explanation: "may only contain letters, digits and _ . , -")
    /// Profile and device names.
    static let identifier = StringPattern(
        allowed: alphanumerics.union("_.-"),
        explanation: "may only contain letters, digits and _ . -")
    /// Slurm feature expressions: `a100&ib`, `[rack1|rack2]`, `gpu*2`.
    static let constraint = StringPattern(
        allowed: alphanumerics.union("_.-&|!*()[],:"),
        explanation: "may only contain letters, digits and _ . - & | ! * ( ) [ ] , :")
    /// Host names, IPv4 and IPv6 literals.
    static let host = StringPattern(
        allowed: alphanumerics.union("_.-:"),
        explanation: "may only contain letters, digits and _ . - :")
}
