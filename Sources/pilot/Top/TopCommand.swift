import ArgumentParser
import Foundation
import PilotProtocol

/// `pilot top`: a live terminal view of agents, tasks, throughput and recent tasks.
struct TopCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "top", abstract: "Live terminal view of agents, tasks by state, throughput and recent tasks (q quits).")
    @OptionGroup var server: ServerOptions
    @Option(help: "Seconds between frames.") var interval: Double = 1

    func run() async throws {
        guard TerminalMode.isTerminal else { throw CLIError("pilot top needs a terminal; for a log of changes use `pilot events --follow`") }
        let client = try server.client()
        let mode: TerminalMode
        do { mode = try TerminalMode.enterRaw() } catch { throw CLIError("\(error)") }
        // The alternate screen keeps the user's scrollback as it was; the cursor hides while we draw.
        Self.write("\u{1B}[?1049h\u{1B}[?25l")
        defer {
            Self.write("\u{1B}[?25h\u{1B}[?1049l")
            mode.restore()
        }
        let keys = KeyReader()
        keys.start()
        var feed = TopFeed()
        var problem: String?
        do { try await feed.prime(client) } catch { problem = "\(error)" }
        let step = max(0.1, interval)
        while true {
            let now = Date().timeIntervalSince1970
            var lines: [String]
            do {
                async let summary = client.summary()
                async let occupancy: Occupancy = client.call("GET", "/v1/occupancy")
                async let agents = client.agents()
                try await feed.poll(client)
                let (r10, r60, bins) = feed.throughput(now: now)
                let snap = TopSnapshot(summary: try await summary, occupancy: try await occupancy, agents: try await agents,
                                       lastSeq: feed.lastSeq, rate10: r10, rate60: r60, bins: bins, recent: feed.recent, now: now)
                let size = TerminalMode.size()
                lines = TopScreen(columns: size.columns, rows: size.rows).render(snap)
                problem = nil
            } catch {
                lines = ["SwiftPilot top  q: quit", "", "cannot reach the manager: \(problem ?? "\(error)")"]
                problem = nil
            }
            // Home, each line cleared to its end, then everything below the last line cleared.
            Self.write("\u{1B}[H" + lines.map { $0 + "\u{1B}[K" }.joined(separator: "\r\n") + "\u{1B}[J")
            let deadline = Date().addingTimeInterval(step)
            while Date() < deadline {
                let pressed = keys.take()
                if pressed.contains(UInt8(ascii: "q")) || pressed.contains(UInt8(ascii: "Q")) || pressed.contains(3) || keys.isClosed { return }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
    }

    static func write(_ s: String) { FileHandle.standardOutput.write(Data(s.utf8)) }
}
