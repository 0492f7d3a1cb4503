import ArgumentParser
import Foundation
import PilotCore
import PilotProtocol

/// `pilot events`: the manager's journal, every change of state in order.
struct EventsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events", abstract: "Print the event journal: every state change, in order.",
        discussion: "With --follow, keep printing new events as they happen; resume after a disconnect with --since.")
    @OptionGroup var server: ServerOptions
    @Flag(help: "Keep printing events as they happen.") var follow = false
    @Option(help: "Start after this sequence number.") var since: Int64 = 0
    @Option(help: "Only events of this task.") var task: Int64?
    @Option(help: "Only events of this workflow.") var workflow: Int64?
    @Option(help: "Only events of this pilot.") var pilot: String?
    @Option(help: "Only these kinds, comma-separated (e.g. task_finished,agent_lost).") var kind: String?
    @Flag(help: "One JSON object per line.") var json = false

    func run() async throws {
        let client = try server.client()
        let kinds = kind.map { $0.split(separator: ",").map(String.init) } ?? []
        var cursor = since
        do {
            while true {
                let page = try await client.events(since: cursor, limit: 1000, task: task, workflow: workflow, pilot: pilot, kinds: kinds)
                if !page.events.isEmpty { FileHandle.standardOutput.write(Data(page.events.map { (json ? line($0) : text($0)) + "\n" }.joined().utf8)) }
                cursor = page.events.last?.seq ?? max(cursor, follow ? cursor : page.lastSeq)
                if page.events.count == 1000 { continue }
                guard follow else { return }
                try await Task.sleep(for: .milliseconds(200))
            }
        } catch let e as APIErrorBody { throw CLIError(e.description) }
    }

    private func line(_ r: JournalRecord) -> String {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? enc.encode(r)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    private func text(_ r: JournalRecord) -> String {
        var parts = [String(r.seq), formatTime(r.at), r.kind.rawValue]
        if let t = r.task { parts.append("task \(t)\(r.taskEnd.map { "-\($0)" } ?? "")\(r.attempt.map { "#\($0)" } ?? "")") }
        if let a = r.agent { parts.append("agent \(a)") }
        if let p = r.pilot { parts.append("pilot \(p)") }
        if let w = r.workflow { parts.append("workflow \(w)\(r.stage.map { "/\($0)" } ?? "")") }
        if let s = r.state { parts.append(s) }
        if let why = r.reason { parts.append("(\(why))") }
        return parts.joined(separator: "  ")
    }
}
