import ArgumentParser
import Foundation
import PilotCore
import PilotProtocol
import PilotTopology

extension BenchCommand {
    struct Ext: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Driver for the peer harness's `--system ext` protocol: one JSON request per stdin line, one JSON reply per stdout line.",
            discussion: """
            start {cores, workdir} → one embedded cluster (manager with its durable store under workdir, local agent
            with `cores` cores) kept alive across requests; run {kind: program, argv, n} → one array of n tasks, replied
            to when the manager has stored every result (its long poll, no polling interval); run {kind: noop, n} →
            n null tasks; stop → shut down. Replies add `wall_s` measured here. Logs go to stderr.
            """)
        @Option(help: "Tasks bound per core (1 running + N-1 queued at the agent; past 2 only for tasks known to run ≤ 50 ms, past 4 only for those of ≤ 2 ms).") var prefetch = Scheduler.defaultPrefetch

        func run() async throws {
            var bench: BenchCluster?
            while let line = readLine() {
                guard !line.trimmingCharacters(in: .whitespaces).isEmpty else { continue }
                let reply: [String: Any]
                do {
                    guard let req = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                          let op = req["op"] as? String else { throw CLIError("request is not a JSON object with `op`") }
                    switch op {
                    case "start":
                        let cores = req["cores"] as? Int ?? 2
                        let dir = (req["workdir"] as? String).map { $0 + "/swiftpilot" }
                        bench = try await BenchCluster.start(topology: try Self.topology(cores: cores), null: false,
                                                             prefetch: prefetch, serverDir: dir)
                        reply = ["ok": true, "version": "0.1"]
                    case "run":
                        guard let b = bench else { throw CLIError("run before start") }
                        let n = req["n"] as? Int ?? 0
                        let kind = req["kind"] as? String ?? "program"
                        let spec: TaskSpec
                        if kind == "noop" { spec = BenchCluster.spec(null: true, command: ["/bin/true"]) }
                        else if kind == "program", let argv = req["argv"] as? [String], !argv.isEmpty {
                            spec = BenchCluster.spec(null: false, command: argv)
                        } else { throw CLIError("unsupported run kind '\(kind)'") }
                        let r = try await b.runArray(spec, n: n)
                        reply = r.failed == 0 ? ["ok": true, "wall_s": r.wall] : ["ok": false, "error": "\(r.failed) tasks failed"]
                    case "stop":
                        await bench?.cluster.stop()
                        bench = nil
                        reply = ["ok": true]
                    default:
                        reply = ["ok": false, "error": "unknown op '\(op)'"]
                    }
                } catch {
                    reply = ["ok": false, "error": "\(error)"]
                }
                let data = try JSONSerialization.data(withJSONObject: reply)
                FileHandle.standardOutput.write(data + Data("\n".utf8))
                if (reply["ok"] as? Bool) == true, line.contains("\"stop\"") { break }
            }
            await bench?.cluster.stop()
        }

        /// The machine's own topology when it has exactly `cores` cores (exact pinning); otherwise a
        /// synthetic node of `cores` cores mapped onto the real CPUs.
        static func topology(cores: Int) throws -> NodeTopology {
            if let native = try? TopologyLoader.load(TopologyOptions(source: .native)),
               native.cores == cores { return native }
            return try TopologyLoader.load(TopologyOptions(source: .synthetic("package:1 numa:1 core:\(cores) pu:1")))
        }
    }
}
