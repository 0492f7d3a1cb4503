import Foundation

/// A Slurm job id. A distinct type so pilot ids and job ids cannot be swapped.
public struct SlurmJobID: RawRepresentable, Hashable, Comparable, Sendable, Codable, CustomStringConvertible,
    ExpressibleByIntegerLiteral {
    public let rawValue: UInt32

    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public init(_ value: UInt32) { self.rawValue = value }
    public init(integerLiteral value: UInt32) { self.rawValue = value }

    /// Parses the text `sbatch --parsable` prints ("123" or "123;cluster").
    public init?(_ text: String) {
        let idPart = text.split(separator: ";", maxSplits: 1).first.map(String.init) ?? text
        guard let value = UInt32(idPart.trimmingCharacters(in: .whitespacesAndNewlines)) else { return nil }
        self.rawValue = value
    }

    public var description: String { String(rawValue) }

    public static func < (lhs: SlurmJobID, rhs: SlurmJobID) -> Bool { lhs.rawValue < rhs.rawValue }
}
