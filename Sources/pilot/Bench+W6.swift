import ArgumentParser
import Foundation
import Logging
import PilotManager
import PilotProtocol
import PilotSlurm
import ServiceLifecycle

extension BenchCommand {
    struct W6: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "W6: pilot start-up (submit → every agent registered) against Slurm's own sbatch → RUNNING.",
            discussion: """
            Needs a reachable Slurm (SLURM_CONF; on this machine `JobScripts/local-slurm.sh start`). Starts a manager
            in this process and alternates, once per run, on an idle cluster:
              pilot  POST /v1/pilots (profile, --nodes) → the last of its agents registered (the manager's
                     registration time; the same clock, this host); its own job's RUNNING is polled too,
                     and registration minus that is the pilot's cost beyond Slurm's in each run
              slurm  a plain batch job of the same shape (nodes × 1 task, the profile's CPUs and GPUs per node)
                     submitted through libslurm → slurm_load_job first says RUNNING, polled every --poll-ms
            Each sample starts once every node is idle and --settle seconds have passed.
            Prints one JSON line: each run's values and the medians. Target: pilot ≤ slurm + 300 ms.
            """)
        @Option(help: "Samples of each kind.") var runs = 10
        @Option(help: "Nodes per pilot and per plain job.") var nodes = 2
        @Option(help: "Cluster profile (name or path).") var profile = "local"
        @Option(help: "Walltime of each job (sbatch spelling).") var walltime = "5"
        @Option(help: "Polling interval for the plain job's state and the pilot's agents, in ms.") var pollMs = 5
        @Option(help: "Seconds to wait once the cluster is idle before each sample (see waitGone).") var settle = 1.5
        @Option(help: "Also append the JSON line to this file.") var out: String?

        func run() async throws {
            BenchLine.outFile = out
            LogSetup.bootstrap(nil, default: .warning)
            let log = Logger(label: "pilot.bench")
            let slurm = try LibSlurmClient()
            let path = try PilotsCommand.Submit.resolveProfile(profile)
            let shape = try ClusterProfile.load(path: path).applying(ProfileOverrides(nodes: nodes))
            let dir = NSTemporaryDirectory() + "pilot-w6-\(getpid())"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            var cfg = ManagerConfig(serverDir: dir)
            cfg.pilotBinary = ProjectFiles.pilotBinary
            cfg.pilots.profileDirectory = ProjectFiles.find("Profiles")
            let rt = try await ManagerRuntime.start(cfg, logger: log)
            let group = ServiceGroup(services: rt.services, gracefulShutdownSignals: [], logger: log)
            let groupTask = Task { try await group.run() }
            guard let access = await rt.ready() else { throw CLIError("the manager did not start") }
            let client = PilotClient(access: access)
            let plain = BatchJobRequest(script: "#!/bin/bash\nsrun sleep 600\n", name: "w6-slurm", partition: shape.partition,
                                        account: shape.account, qos: shape.qos, nodes: nodes, ntasksPerNode: 1,
                                        cpusPerTask: shape.coresPerNode, gpusPerNode: shape.gpusPerNode > 0 ? shape.gpusPerNode : nil,
                                        timeLimitMinutes: 5, workingDirectory: dir, standardOutput: dir + "/slurm-%j.out")
            let poll = Duration.milliseconds(max(1, pollMs))
            var pilotMS: [Double] = [], polledMS: [Double] = [], slurmMS: [Double] = [], ownRunningMS: [Double] = []
            var last: SlurmJobID?
            for _ in 0..<runs {
                try await waitGone(last, slurm, poll)
                let p = try await pilotSample(client, slurm, path: path, poll: poll)
                pilotMS.append(p.registered * 1000); polledMS.append(p.polled * 1000)
                ownRunningMS.append(p.running * 1000)
                try await waitGone(p.job, slurm, poll)
                let s = try await slurmSample(slurm, plain, poll: poll)
                slurmMS.append(s.seconds * 1000)
                last = s.job
            }
            try await waitGone(last, slurm, poll)
            await group.triggerGracefulShutdown()
            _ = try? await groupTask.value
            try? FileManager.default.removeItem(atPath: dir)
            let pm = median(pilotMS), sm = median(slurmMS)
            BenchLine.print(["workload": "w6", "n": runs, "nodes": nodes, "profile": shape.name, "settle_s": settle,
                             "pilot_median_ms": pm, "slurm_median_ms": sm, "diff_median_ms": pm - sm,
                             "pilot_polled_median_ms": median(polledMS),
                             "pilot_ms": pilotMS.map(rounded), "pilot_polled_ms": polledMS.map(rounded), "slurm_ms": slurmMS.map(rounded),
                             "pilot_job_running_ms": ownRunningMS.map(rounded),
                             "pilot_beyond_running_ms": zip(pilotMS, ownRunningMS).map { rounded($0 - $1) },
                             "pilot_beyond_running_median_ms": median(zip(pilotMS, ownRunningMS).map { $0 - $1 }),
                             "target_met": pm <= sm + 300])
        }

        /// Submit → the last agent's registration, from the manager's records; `polled` is when this
        /// process saw it through the API.
        /// The pilot's own job is polled like the plain one, so each run also yields the pilot's cost
        /// beyond Slurm's: its agents' registration minus its job's RUNNING. That difference does not
        /// carry the scheduler's variance (an immediate start, or one on slurmctld's next tick).
        func pilotSample(_ client: PilotClient, _ slurm: LibSlurmClient, path: String, poll: Duration) async throws
            -> (registered: Double, polled: Double, running: Double, job: SlurmJobID?) {
            let t0 = Date().timeIntervalSince1970
            let r = try await client.submitPilot(PilotSubmitRequest(profile: path, overrides: PilotOverrides(nodes: nodes, walltime: walltime)))
            guard let id = r.pilot?.id else { throw CLIError("the manager submitted no pilot") }
            let job = r.pilot?.slurmJobID.map(SlurmJobID.init(rawValue:))
            var running: Double?
            while true {
                if running == nil, let job, let state = try slurm.job(job)?.state, state != .pending {
                    running = Date().timeIntervalSince1970 - t0
                }
                let p = try await client.pilot(id)
                if p.agents >= nodes { break }
                if p.state.isFinal { throw CLIError("pilot \(id) ended before its agents registered: \(p.state.rawValue) \(p.reason ?? "")") }
                try await Task.sleep(for: poll)
            }
            let polled = Date().timeIntervalSince1970 - t0
            let registered = try await client.agents().filter { $0.pilot == id }.compactMap(\.registeredAt).max()
            _ = try await client.cancelPilot(id)
            return ((registered ?? t0 + polled) - t0, polled, running ?? polled, job)
        }

        func slurmSample(_ slurm: LibSlurmClient, _ job: BatchJobRequest, poll: Duration) async throws -> (seconds: Double, job: SlurmJobID) {
            let t0 = Date().timeIntervalSince1970
            let id = try slurm.submit(job)
            while try slurm.job(id)?.state != .running { try await Task.sleep(for: poll) }
            let t = Date().timeIntervalSince1970 - t0
            try slurm.cancel(id, signal: nil)
            return (t, id)
        }

        /// Each sample starts from the same state: the previous job is over, every node of the
        /// cluster is idle again (`sinfo`), and then `--settle` seconds pass. Without the pause, a
        /// job submitted right after another ended is started by the scheduling pass that the end
        /// triggers (within ~30 ms); after it, by slurmctld's next periodic pass (up to ~1 s). Both
        /// kinds of sample must see the same mix, or the comparison measures that, not the pilot.
        func waitGone(_ job: SlurmJobID?, _ slurm: LibSlurmClient, _ poll: Duration) async throws {
            if let job {
                while let j = try slurm.job(job), !j.state.isFinal { try await Task.sleep(for: poll) }
            }
            while try !allNodesIdle() { try await Task.sleep(for: poll) }
            try await Task.sleep(for: .milliseconds(Int(settle * 1000)))
        }

        func allNodesIdle() throws -> Bool {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = ["sinfo", "-h", "-N", "-o", "%t"]
            let out = Pipe()
            p.standardOutput = out
            try p.run()
            let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            let states = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            return p.terminationStatus == 0 && !states.isEmpty && states.allSatisfy { $0 == "idle" }
        }

        func median(_ xs: [Double]) -> Double {
            let s = xs.sorted()
            guard !s.isEmpty else { return .nan }
            return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
        }

        func rounded(_ x: Double) -> Double { (x * 10).rounded() / 10 }
    }
}
