#if canImport(Glibc)
import Glibc
#endif

/// An environment shared by many spawns (an agent's own), validated and turned into C strings
/// once. Rebuilding and copying the agent's few dozen variables for every task was a visible part
/// of the per-task cost; a task now pays only for the variables it sets itself.
public final class EnvironmentBlock: Sendable {
    struct Entry: @unchecked Sendable {
        let name: String
        /// "NAME=value", owned by the block and never written.
        let cString: UnsafeMutablePointer<CChar>
    }
    let entries: [Entry]
    let values: [String: String]
    /// Where each name sits in `entries`: a task overriding k of them costs k lookups, not one per
    /// variable of the block.
    let positions: [String: Int]
    /// `entries`' strings alone, in the same order: copying them into a spawn's `envp` retains nothing.
    nonisolated(unsafe) let cStrings: [UnsafeMutablePointer<CChar>]

    /// Throws for a name that is empty or holds `=`, or a NUL byte anywhere.
    public init(_ environment: [String: String]) throws(LaunchError) {
        for (k, v) in environment {
            if k.isEmpty || k.utf8.contains(UInt8(ascii: "=")) {
                throw LaunchError(.invalidSpec, "invalid environment name \"\(k)\"", errno: EINVAL)
            }
            if k.utf8.contains(0) || v.utf8.contains(0) { throw LaunchError(.invalidSpec, "NUL byte in \"\(k)\"", errno: EINVAL) }
        }
        values = environment
        entries = environment.sorted { $0.key < $1.key }.map { Entry(name: $0.key, cString: strdup("\($0.key)=\($0.value)")!) }
        cStrings = entries.map(\.cString)
        positions = Dictionary(uniqueKeysWithValues: entries.enumerated().map { ($0.element.name, $0.offset) })
    }

    deinit { for e in entries { free(e.cString) } }

    public subscript(name: String) -> String? { values[name] }
}
