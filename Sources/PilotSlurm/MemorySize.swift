import Foundation

/// Slurm-style memory sizes ("4G", "512M", "1T"; a bare number is MiB, as in `--mem`).
enum MemorySize {
    static func mebibytes(_ text: String) -> UInt64? {
        let s = text.trimmingCharacters(in: .whitespaces).uppercased()
        guard let last = s.last else { return nil }
        let factor: Double
        var digits = Substring(s)
        switch last {
        case "K": factor = 1.0 / 1024
        case "M": factor = 1
        case "G": factor = 1024
        case "T": factor = 1024 * 1024
        case "0"..."9": factor = 1
        default: return nil
        }
        if last.isLetter {
            digits = s.dropLast()
            if digits.hasSuffix("I") { return nil }
        }
        guard !digits.isEmpty, digits.allSatisfy({ $0.isNumber || $0 == "." }), let value = Double(digits), value > 0 else {
            return nil
        }
        let mib = (value * factor).rounded(.up)
        guard mib >= 1, mib < Double(UInt64(1) << 50) else { return nil }
        return UInt64(mib)
    }
}
