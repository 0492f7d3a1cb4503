import Foundation
import PilotCore
import PilotProtocol
import PilotReport

/// Fetches the journal through the API, builds the report and writes it as `.html` or `.svg`.
/// Shared by `pilot report` and `pilot run` (which writes one before its manager goes away).
struct ReportWriter {
    var client: PilotClient
    var window: ReportWindow
    var title: String

    /// Every record the window needs, in sequence order. With a workflow, the workflow's records
    /// plus the agents' registrations (which carry no workflow but name hosts and capacities).
    func records() async throws -> [JournalRecord] {
        if let w = window.workflow {
            let mine = try await fetch(workflow: w, kinds: [])
            let agents = try await fetch(workflow: nil, kinds: [JournalKind.agentRegistered.rawValue, JournalKind.agentReattached.rawValue])
            return (mine + agents).sorted { $0.seq < $1.seq }
        }
        return try await fetch(workflow: nil, kinds: [])
    }

    private func fetch(workflow: Int64?, kinds: [String]) async throws -> [JournalRecord] {
        var out: [JournalRecord] = []
        var since: Int64 = 0
        let page = 50_000
        while true {
            let p = try await client.events(since: since, limit: page, workflow: workflow, kinds: kinds)
            out += p.events
            guard p.events.count == page, let last = p.events.last else { return out }
            since = last.seq
        }
    }

    /// Writes the report to `path`; the extension picks the format. Returns the report for a summary line.
    @discardableResult
    func write(to path: String) async throws -> RunReport {
        let ext = (path as NSString).pathExtension.lowercased()
        guard ext == "html" || ext == "htm" || ext == "svg" else {
            throw ReportError(.badOutput, "\(path): the output must end in .html or .svg")
        }
        let records: [JournalRecord]
        do { records = try await self.records() } catch {
            throw ReportError(.fetch, "could not read the journal from the manager", cause: error)
        }
        // Device sizes for the QPU capacity; a manager without the route still gets a report.
        let occupancy: Occupancy? = try? await client.call("GET", "/v1/occupancy")
        let slots = Dictionary(occupancy?.devices.map { ($0.name, $0.slots) } ?? [], uniquingKeysWith: max)
        let report = try RunReportBuilder(window: window, title: title, deviceSlots: slots).build(records, now: Date().timeIntervalSince1970)
        let text = ext == "svg" ? GanttSVG().render(report) : ReportHTML().render(report)
        do { try text.write(toFile: path, atomically: true, encoding: .utf8) } catch {
            throw ReportError(.badOutput, "cannot write \(path)", cause: error)
        }
        return report
    }
}
