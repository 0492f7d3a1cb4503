import ArgumentParser
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import PilotProtocol

/// One exit status per class of failure, the same for every command, so scripts can tell a typo
/// from a missing task from a manager that is not there. Values follow sysexits(3).
enum CLIExit: Int32, CaseIterable {
    /// The work itself failed (a task or workflow ended failed); the command worked.
    case failed = 1
    /// The command line was wrong: unknown flag, bad value, missing argument.
    case usage = 64
    /// The manager refused the request: invalid input, conflict, or a token it does not accept.
    case refused = 65
    /// The task, workflow, pilot or file asked for does not exist.
    case notFound = 66
    /// No manager answers: no access.json, or nothing listens where it says.
    case noManager = 69

    /// The class of an error thrown by a command.
    static func of(_ error: any Error) -> CLIExit {
        if error is ValidationError { return .usage }
        if let e = error as? APIErrorBody {
            switch e.code {
            case "not_found", "http_404": return .notFound
            case "no_manager": return .noManager
            default: return .refused
            }
        }
        if let e = error as? URLError {
            switch e.code {
            case .cannotConnectToHost, .cannotFindHost, .networkConnectionLost, .notConnectedToInternet, .timedOut, .dnsLookupFailed:
                return .noManager
            default: return .noManager
            }
        }
        if let e = error as? AccessError { return e.missing ? .noManager : .refused }
        if let e = error as? CLIError { return e.exit }
        return .failed
    }

    /// Errors this program raises itself, as opposed to ArgumentParser's help requests and exits.
    static func isOurs(_ error: any Error) -> Bool {
        !(error is CleanExit || error is ExitCode || String(describing: type(of: error)) == "CommandError")
    }

    /// The text printed after `error: `.
    static func message(_ error: any Error) -> String {
        if let e = error as? URLError {
            return "no manager answers at \(e.failingURL?.host ?? "its address") (\(e.localizedDescription)); start one with `pilot manager` or check --server-dir"
        }
        if let e = error as? APIErrorBody { return e.field.map { "\($0): \(e.message)" } ?? e.message }
        if let e = error as? ValidationError { return e.message }
        return "\(error)"
    }
}

/// A failure a command reports itself, with its class.
struct CLIError: Error, CustomStringConvertible {
    var description: String
    var exit: CLIExit
    init(_ d: String, exit: CLIExit = .failed) { description = d; self.exit = exit }
}

/// Prints `error: …` on stderr and exits with the error's class.
func fail(_ error: any Error) -> Never {
    FileHandle.standardError.write(Data("error: \(CLIExit.message(error))\n".utf8))
    exit(CLIExit.of(error).rawValue)
}

/// Captured passthrough arguments swallow `--help`; everything before a `--` is still ours.
func helpRequested(in captured: [String]) -> Bool {
    for a in captured {
        if a == "--" { return false }
        if a == "--help" || a == "-h" { return true }
    }
    return false
}
