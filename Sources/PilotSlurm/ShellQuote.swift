import Foundation

/// POSIX single-quoting, so profile and context values reach the shell verbatim.
enum ShellQuote {
    static func quote(_ s: String) -> String {
        let safe = StringPattern.alphanumerics.union("_./:=,@%+-")
        if !s.isEmpty, s.allSatisfy({ safe.contains($0) }) { return s }
        return "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
