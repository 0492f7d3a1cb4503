import ArgumentParser
import Foundation
import PilotProtocol

/// Where the manager keeps its state and `access.json`; clients and agents find it there.
struct ServerOptions: ParsableArguments {
    @Option(name: .long, help: "Server directory (default: $PILOT_SERVER_DIR or ~/.pilot).")
    var serverDir: String?

    var resolved: String {
        if let s = serverDir { return (s as NSString).expandingTildeInPath }
        if let e = ProcessInfo.processInfo.environment["PILOT_SERVER_DIR"], !e.isEmpty { return e }
        return NSHomeDirectory() + "/.pilot"
    }

    func client() throws -> PilotClient {
        do { return try PilotClient(serverDir: resolved) } catch { throw ValidationError("\(error)") }
    }
}

/// Prints a clear message and exits non-zero instead of a stack of Swift error text.
struct CLIError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

func fail(_ error: any Error) -> Never {
    let text = (error as? APIErrorBody).map { e in e.field.map { "\($0): \(e.message)" } ?? e.message } ?? "\(error)"
    FileHandle.standardError.write(Data("error: \(text)\n".utf8))
    exit(1)
}
