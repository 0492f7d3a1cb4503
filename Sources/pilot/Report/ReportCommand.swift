import ArgumentParser
import Foundation
import PilotProtocol
import PilotReport

/// `pilot report`: a Gantt chart, utilisation curves and per-stage figures from the journal.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "Write a run report (Gantt, utilisation, stages, distributions) from the event journal.",
        discussion: """
        -o FILE.html writes one self-contained page (inline SVG and CSS); -o FILE.svg the Gantt chart alone.
        Times for --since/--until: Unix seconds, ISO 8601 (2026-12-03T21:00:00Z), or a duration before now (15m, 2h).
        """)
    @OptionGroup var server: ServerOptions
    @Option(help: "Only this workflow's tasks.") var workflow: Int64?
    @Option(help: "Start of the window.") var since: String?
    @Option(help: "End of the window.") var until: String?
    @Option(name: .shortAndLong, help: "Output file: .html or .svg.") var output: String
    @Option(help: "Title of the report.") var title: String?

    func run() async throws {
        let now = Date().timeIntervalSince1970
        let window = ReportWindow(workflow: workflow, since: try since.map { try Self.time($0, now: now, field: "--since") },
                                  until: try until.map { try Self.time($0, now: now, field: "--until") })
        let name = title ?? workflow.map { "SwiftPilot workflow \($0)" } ?? "SwiftPilot run"
        do {
            let r = try await ReportWriter(client: try server.client(), window: window, title: name).write(to: output)
            print("report: \(output) (\(r.taskCount) tasks on \(r.rows.count) slots)")
        } catch let e as ReportError { throw CLIError("\(e)") }
    }

    static func time(_ s: String, now: Double, field: String) throws -> Double {
        if let v = Double(s) { return v }
        let iso = ISO8601DateFormatter()
        if let d = iso.date(from: s) { return d.timeIntervalSince1970 }
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
        if let u = s.last, let mult = units[u], let v = Double(s.dropLast()), v >= 0 { return now - v * mult }
        throw ValidationError("\(field): '\(s)' is not Unix seconds, an ISO 8601 time or a duration like 15m")
    }
}
