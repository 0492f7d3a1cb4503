#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A topology load or parse failure, with hwloc's errno when there is one.
public struct TopologyError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, Equatable {
        case hwlocInit
        case invalidSynthetic
        case xmlNotFound
        case invalidXML
        case load
        case cpuBinding
        case export
        case invalidCPUList
        case invalidOption
    }

    public var code: Code
    public var message: String
    /// The errno hwloc left behind, if the failure came from a system call.
    public var errno: Int32?

    public init(_ code: Code, _ message: String, errno: Int32? = nil) {
        self.code = code
        self.message = message
        self.errno = errno
    }

    public var description: String {
        guard let errno, errno != 0 else { return "\(code.rawValue): \(message)" }
        return "\(code.rawValue): \(message): \(String(cString: strerror(errno))) (errno \(errno))"
    }
}
