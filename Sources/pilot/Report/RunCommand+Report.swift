import Foundation
import PilotProtocol
import PilotReport

extension RunCommand {
    /// Writes the run's report while its embedded manager still serves the journal (its server
    /// directory may be temporary). Returns the line to print; a report that cannot be written
    /// does not fail the run, whose tasks already ended.
    func writeReport(client: PilotClient, workflow: Int64?) async -> String? {
        guard !noReport else { return nil }
        let base = ((file as NSString).lastPathComponent as NSString).deletingPathExtension
        let path = report ?? FileManager.default.currentDirectoryPath + "/\(base).report.html"
        let title = "pilot run \((file as NSString).lastPathComponent)"
        do {
            try await ReportWriter(client: client, window: ReportWindow(workflow: workflow), title: title).write(to: path)
            return "report: \(path)"
        } catch {
            return "report not written: \(error)"
        }
    }

    /// On stderr with --json, so the JSON on stdout stays one document.
    func printReportLine(_ line: String?) {
        guard let line else { return }
        if json { FileHandle.standardError.write(Data((line + "\n").utf8)) } else { print(line) }
    }
}
