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
        try PilotClient(serverDir: resolved)
    }
}

