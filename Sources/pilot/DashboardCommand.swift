import ArgumentParser
import Foundation
import PilotProtocol

/// `pilot dashboard`: prints the dashboard's URL with a one-time login code.
struct DashboardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dashboard", abstract: "Print a one-time login URL for the manager's dashboard page.",
        discussion: """
        The code in the URL works once, within 2 minutes; opening it sets a session cookie (12 h, read-only) \
        and shows the page at /. Run the command again for another browser.
        """)
    @OptionGroup var server: ServerOptions

    func run() async throws {
        let client = try server.client()
        do {
            let login: DashboardLogin = try await client.call("POST", "/v1/dashboard/login", body: Optional<String>.none)
            print(client.baseURL.absoluteString + "/login?code=" + login.code)
            if let f = client.tlsFingerprint {
                // On stderr: scripts read the URL alone from stdout.
                FileHandle.standardError.write(Data("""
                    The manager's certificate is self-signed: the browser warns once. Accept it only if its SHA-256 \
                    fingerprint is \(f.dropFirst(7).uppercased()) (the certificate viewer shows it with colons).\n
                    """.utf8))
            }
        } catch let e as APIErrorBody { throw CLIError(e.description) }
    }
}
