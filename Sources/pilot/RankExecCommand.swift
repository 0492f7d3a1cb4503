import Foundation
import PilotLaunch

/// `pilot rank-exec PROGRAM ARGS…`: hidden; each rank of a gang task starts through it (the head
/// agent's `srun` runs it once per rank on every node). Handled before the argument parser, which
/// would only add start-up time to every rank.
enum RankExecCommand {
    static let name = RankBinding.execSubcommand

    static func runIfRequested() {
        let args = CommandLine.arguments
        guard args.count > 1, args[1] == name else { return }
        var program = Array(args.dropFirst(2))
        if program.first == "--" { program.removeFirst() }
        let error = RankExec.exec(program)
        FileHandle.standardError.write(Data("pilot rank-exec: \(error)\n".utf8))
        exit(127)
    }
}
