import ArgumentParser

@main
struct PilotCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pilot",
        abstract: "SwiftPilot: pilot jobs for hybrid quantum-HPC work on Slurm clusters.",
        version: "0.1.0",
        subcommands: [
            RunCommand.self, SubmitCommand.self, StatusCommand.self, WaitCommand.self, CancelCommand.self,
            LogsCommand.self, EventsCommand.self, AgentsCommand.self, ManagerCommand.self, AgentCommand.self, TopologyCommand.self,
            BenchCommand.self, WorkflowCommand.self, KernelCommand.self, CutCommand.self, PilotsCommand.self, AllocCommand.self,
            MiniAppCommand.self, ReportCommand.self, DashboardCommand.self, TopCommand.self,
        ]
    )

    static func main() async {
        RankExecCommand.runIfRequested()
        await main(nil)
    }
}
