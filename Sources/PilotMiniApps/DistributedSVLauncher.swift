import Foundation

/// Starts `pilot-dsv` (the MPI distributed state-vector simulator, a separate binary so `pilot`
/// never links MPI) under `mpirun` or, inside a Slurm allocation, `srun --mpi=pmix` (Debian's
/// Open MPI only speaks PMIx to Slurm), and reads back its JSON report.
public struct DistributedSVLauncher: Sendable, Hashable {
    public enum Launcher: String, Sendable, Hashable, CaseIterable {
        case auto, mpirun, srun
    }

    public var binary: String
    public var ranks: Int
    public var nodes: Int?
    public var launcher: Launcher
    public var arguments: [String]

    public init(binary: String, ranks: Int, nodes: Int? = nil, launcher: Launcher = .auto, arguments: [String]) {
        self.binary = binary
        self.ranks = ranks
        self.nodes = nodes
        self.launcher = launcher
        self.arguments = arguments
    }

    /// `auto` picks srun inside a Slurm job (SLURM_JOB_ID set), mpirun otherwise.
    public func resolvedLauncher(environment: [String: String]) -> Launcher {
        guard launcher == .auto else { return launcher }
        return environment["SLURM_JOB_ID"] != nil ? .srun : .mpirun
    }

    /// argv and the extra environment for the launch.
    public func command(environment: [String: String]) -> (argv: [String], environment: [String: String]) {
        let args = arguments + ["--expect-ranks", String(ranks)]
        switch resolvedLauncher(environment: environment) {
        case .srun:
            var argv = ["srun", "--mpi=pmix", "-n", String(ranks)]
            if let nodes { argv += ["-N", String(nodes)] }
            return (argv + [binary] + args, [:])
        case .mpirun, .auto:
            // Oversubscribe: a laptop or CI runner may have fewer cores than ranks. Root runs are
            // what containers do; Open MPI refuses them unless told twice. CMA single-copy needs
            // ptrace rights that containers usually drop, so shared memory falls back to copies.
            let env = ["OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
                       "OMPI_MCA_btl_vader_single_copy_mechanism": "none", "OMPI_MCA_rmaps_base_oversubscribe": "1"]
            return (["mpirun", "-np", String(ranks), "--oversubscribe", binary] + args, env)
        }
    }

    public struct Outcome: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
        public var argv: [String]
        public var seconds: Double
    }

    /// Runs the launch to completion (blocking the calling thread) and captures both outputs.
    public func run() throws(MiniAppError) -> Outcome {
        let env = ProcessInfo.processInfo.environment
        let (argv, extra) = command(environment: env)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = argv
        p.environment = env.merging(extra) { _, new in new }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        let started = Date()
        do { try p.run() } catch {
            throw MiniAppError(.launch, "cannot start \(argv.joined(separator: " "))", cause: error)
        }
        // Read stderr on another thread so neither pipe can fill up and stall the ranks.
        let errBox = ErrorText()
        let reader = Thread { errBox.set(err.fileHandleForReading.readDataToEndOfFile()) }
        reader.start()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let stderr = errBox.wait()
        return Outcome(status: p.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                       stderr: String(decoding: stderr, as: UTF8.self), argv: argv,
                       seconds: Date().timeIntervalSince(started))
    }

    /// The report is the last line of rank 0's output that parses as a JSON object.
    public static func report(from stdout: String) throws(MiniAppError) -> [String: Any] {
        for line in stdout.split(separator: "\n").reversed() where line.hasPrefix("{") {
            if let obj = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] { return obj }
        }
        throw MiniAppError(.badResult, "pilot-dsv printed no JSON report")
    }
}

/// Hands the stderr bytes from the reader thread to the caller.
final class ErrorText: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var data = Data()
    func set(_ d: Data) { data = d; done.signal() }
    func wait() -> Data { done.wait(); return data }
}
