import Foundation
import PilotProtocol
import Testing

/// The command line as a new user meets it: help everywhere, errors on stderr with one exit
/// status per class, flags spelled as the README spells them.
@Suite struct CLIEndToEndTests {
    @Test func helpPrintsHelpAndSubmitsNothingWithAManagerRunning() async throws {
        let c = LiveCluster(tag: "cli-help")
        defer { c.shutdown() }
        try await c.startManager()
        for args in [["submit", "--help"], ["submit", "--cores", "2", "--help", "--", "true"], ["submit", "-h"],
                     ["run", "--help"], ["pilots", "submit", "--help"], ["manager", "stop", "--help"]] {
            let r = try PilotBinary.run(args, env: ["PILOT_SERVER_DIR": c.dir])
            #expect(r.status == 0, "\(args): \(r.status) \(r.err)")
            #expect(r.out.contains("USAGE"), "\(args): \(r.out)")
        }
        // `--help` after `--` belongs to the task's command.
        let s = try await c.client.summary()
        #expect(s.total == 0, "help submitted \(s.total) tasks")
        let r = try PilotBinary.run(["submit", "--server-dir", c.dir, "--", "echo", "--help"])
        #expect(r.status == 0, "\(r.err)")
        #expect(try await c.client.summary().total == 1)
    }

    @Test func errorsGoToStderrWithTheirClass() async throws {
        let none = PilotBinary.tempDir("cli-none")
        defer { try? FileManager.default.removeItem(atPath: none) }
        // No manager: 69, for every command that needs one.
        for args in [["status"], ["logs", "1"], ["submit", "--", "true"], ["events"], ["agents"]] {
            let r = try PilotBinary.run(args, env: ["PILOT_SERVER_DIR": none])
            #expect(r.status == 69, "\(args): \(r.status)")
            #expect(r.out.isEmpty && r.err.hasPrefix("error: "), "\(args): out=\(r.out) err=\(r.err)")
        }
        let c = LiveCluster(tag: "cli-errors")
        defer { c.shutdown() }
        try await c.startManager()
        let cases: [([String], Int32, String)] = [
            (["logs", "99"], 66, "99"),
            (["submit", "--cores", "four", "--", "true"], 64, "--cores: must be an integer, got 'four'"),
            (["submit", "--time-limit", "soon", "--", "true"], 64, "--time-limit"),
            (["submit", "--bogus", "--", "true"], 64, "unknown option '--bogus'"),
            (["cancel", "x"], 64, "x"),
            (["pilots", "cancel", "p99"], 66, "p99"),
        ]
        for (args, status, text) in cases {
            let r = try PilotBinary.run(args, env: ["PILOT_SERVER_DIR": c.dir])
            #expect(r.status == status, "\(args): \(r.status), stderr: \(r.err)")
            #expect(r.err.contains(text), "\(args): \(r.err)")
            #expect(r.out.isEmpty, "\(args) printed on stdout: \(r.out)")
        }
        // A usage error inside a subcommand shows that subcommand's usage.
        let u = try PilotBinary.run(["submit", "--server-dir", c.dir, "--cores", "four", "--", "true"])
        #expect(u.err.contains("Usage: pilot submit"), "\(u.err)")
    }

    @Test func jsonOutputsAndNewestFirstPaging() async throws {
        let cut = try PilotBinary.run(["cut", "--qubits", "6", "--depth", "1", "--max-qubits", "4", "--plan-only", "--json"])
        #expect(cut.status == 0, "\(cut.err)")
        let plan = try JSONSerialization.jsonObject(with: Data(cut.out.utf8)) as? [String: Any]
        #expect(plan?["qubits"] as? Int == 6 && plan?["fragment_qubits"] is [Int], "\(cut.out)")

        let c = LiveCluster(tag: "cli-status")
        defer { c.shutdown() }
        try await c.startManager()
        for _ in 0..<3 { _ = try PilotBinary.run(["submit", "--server-dir", c.dir, "--", "true"]) }
        func ids(_ extra: [String]) throws -> [Int64] {
            let r = try PilotBinary.run(["status", "--server-dir", c.dir, "--json"] + extra)
            #expect(r.status == 0, "\(r.err)")
            return try APICoding.decoder().decode([TaskInfo].self, from: Data(r.out.utf8)).map(\.id)
        }
        #expect(try ids(["--limit", "2"]) == [3, 2])
        #expect(try ids(["--limit", "2", "--before", "2"]) == [1])
    }

    /// Every `--flag` the README shows exists on some command, as spelled there.
    @Test func flagsAreSpelledAsTheReadmeShowsThem() throws {
        var helps = ""
        var queue: [[String]] = [[]]
        var seen = Set<[String]>()
        while let cmd = queue.popLast() {
            guard seen.insert(cmd).inserted, cmd.count < 4 else { continue }
            let r = try PilotBinary.run(cmd + ["--help"])
            helps += r.out
            guard let sub = r.out.range(of: "SUBCOMMANDS:") else { continue }
            // Subcommand lines are indented by two spaces; wrapped abstracts by more; a blank line ends the list.
            for line in r.out[sub.upperBound...].split(separator: "\n", omittingEmptySubsequences: false).dropFirst() {
                if line.trimmingCharacters(in: .whitespaces).isEmpty { break }
                guard line.hasPrefix("  "), !line.hasPrefix("   ") else { continue }
                let word = line.trimmingCharacters(in: .whitespaces).split(separator: " ").first.map(String.init) ?? ""
                guard !word.isEmpty, word.allSatisfy({ $0.isLetter || $0 == "-" || $0.isNumber }) else { continue }
                queue.append(cmd + [word])
            }
        }
        let readme = try String(contentsOf: PilotBinary.root.appendingPathComponent("README.md"), encoding: .utf8)
        let flags = Set(readme.matches(of: /`[^`\n]*?(--[a-z][a-z0-9-]+)/).map { String($0.output.1) })
        // Flags of other programs the README quotes (sbatch, srun, Slurm's own tools, swift).
        let foreign: Set<String> = ["--build-tests", "--skip-build", "--filter", "--skip", "--no-parallel", "--product", "--wrap",
                                    "--nodes", "--ntasks", "--ntasks-per-node", "--cpus-per-task", "--gres", "--exclusive", "--export",
                                    "--mpi", "--signal", "--chdir", "--config-file", "--web.listen-address", "--storage.tsdb.path",
                                    "--clusters", "--parsable", "--generate-completion-script",
                                    "--with-test-tools",  // JobScripts/setup.sh
                                    "--cacert", "--ignore-certificate-errors-spki-list"]  // curl, Chromium (TLS)
        let missing = flags.subtracting(foreign).filter { !helps.contains($0) }
        #expect(missing.isEmpty, "README flags no command has: \(missing.sorted())")
        #expect(flags.count > 20, "the README shows flags")
        // The completion script the README points to is generated by the parser.
        let completion = try PilotBinary.run(["--generate-completion-script", "bash"])
        #expect(completion.status == 0 && completion.out.contains("_pilot"), "\(completion.err)")
    }
}
