import ArgumentParser
import Foundation

@main
struct PilotCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pilot",
        abstract: "SwiftPilot: pilot jobs for hybrid quantum-HPC work on Slurm clusters.",
        version: "0.1.0",
        subcommands: [
            RunCommand.self, SubmitCommand.self, ResubmitCommand.self, StatusCommand.self, WaitCommand.self, CancelCommand.self,
            LogsCommand.self, EventsCommand.self, AgentsCommand.self, ManagerCommand.self, AgentCommand.self, TopologyCommand.self,
            BenchCommand.self, WorkflowCommand.self, KernelCommand.self, CutCommand.self, DreamerCommand.self, PilotsCommand.self, AllocCommand.self,
            MiniAppCommand.self, ReportCommand.self, DashboardCommand.self, TopCommand.self,
        ]
    )

    static func main() async {
        RankExecCommand.runIfRequested()
        let command: any ParsableCommand
        do { command = try parseAsRoot() } catch { exit(withError: error) }
        do {
            if var a = command as? any AsyncParsableCommand { try await a.run() } else { var c = command; try c.run() }
        } catch let e as ValidationError {
            // ArgumentParser would print the root command's usage for a validation error thrown
            // from inside a subcommand; the subcommand's own is the one that helps.
            let sub = type(of: command)
            let name = sub.configuration.commandName ?? ""
            var text = "error: \(e.message)\n"
            text += "Usage: \(usageString(for: sub))\n"
            text += "  See 'pilot \(name) --help' for more information.\n"
            FileHandle.standardError.write(Data(text.utf8))
            Foundation.exit(CLIExit.usage.rawValue)
        } catch {
            if CLIExit.isOurs(error) { fail(error) }
            // Help requests, clean exits and ArgumentParser's own errors print as it prints them.
            type(of: command).exit(withError: error)
        }
    }
}
