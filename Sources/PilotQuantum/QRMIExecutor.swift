import Dispatch
import Foundation

/// Runs a PUB job on a QPU that Slurm granted through QRMI, with QRMI's own `task_runner`:
/// the job becomes the runner's Qiskit-primitive input file (`QRMIPayload`), the runner is
/// started as `task_runner RESOURCE input.json output.json` with the task's environment (which
/// holds the resource's `<name>_QRMI_*` settings and acquisition token), and the result file is
/// read back as a `PUBJobResult`.
///
/// Starting the process is `launch`'s: the agent runs it in its own session with a parent-death
/// signal and the task's time limit, and cancelling the task ends it (SIGTERM, which the runner
/// answers by cancelling its QRMI task, then SIGKILL). The runner's exit status is data: a runner
/// that fails gives `.failed` with its error output, not a thrown error.
public struct QRMIExecutor: Sendable {
    /// One start of the runner.
    public struct Invocation: Sendable, Equatable {
        /// The runner, resolved on the task's PATH.
        public var executable: String
        /// `[resource, input file, output file]`.
        public var arguments: [String]
        public var environment: [String: String]
        public var stdoutPath: String
        public var stderrPath: String
        /// Seconds; nil for none.
        public var timeLimit: Double?
    }

    /// How the runner ended: an exit code or a signal.
    public struct Exit: Sendable, Equatable {
        public var exitCode: Int32?
        public var signal: Int32?
        public var timedOut: Bool

        public init(exitCode: Int32?, signal: Int32? = nil, timedOut: Bool = false) {
            self.exitCode = exitCode
            self.signal = signal
            self.timedOut = timedOut
        }
    }

    public enum Outcome: Sendable {
        case completed(PUBJobResult)
        /// The runner ran and ended without a result; `reason` carries its error output.
        case failed(reason: String, exit: Exit)
    }

    /// Starts the runner and waits for it; throws only when it could not be started.
    public typealias Launch = @Sendable (Invocation) async throws(QuantumError) -> Exit

    /// The console script the `qrmi` package installs.
    public static let defaultRunner = "task_runner"
    /// A task or agent variable naming another runner (a path, or a name looked up on PATH).
    public static let runnerVariable = "PILOT_QRMI_TASK_RUNNER"

    /// The QPU's QRMI resource name (what `--qpu=NAMES` named).
    public var resource: String
    /// The task's environment, already narrowed to this QPU.
    public var environment: [String: String]
    /// Where each run gets its own directory for the input, output and logs.
    public var workDirectory: String
    public var launch: Launch

    public init(resource: String, environment: [String: String], workDirectory: String, launch: @escaping Launch) {
        self.resource = resource
        self.environment = environment
        self.workDirectory = workDirectory
        self.launch = launch
    }

    /// Runs `pubJob` (the task's payload text). Bad payloads, a runner that is not installed and
    /// unreadable results throw; a runner that fails is `.failed`.
    public func run(pubJob text: String, timeLimit: Double? = nil) async throws(QuantumError) -> Outcome {
        let started = DispatchTime.now().uptimeNanoseconds
        let payload = try await PUBExecutor.offload { () throws(QuantumError) in try QRMIPayload.build(pubJob: text) }
        let job = payload.job
        let runnerName = environment[Self.runnerVariable] ?? Self.defaultRunner
        guard let executable = Self.resolve(runnerName, path: environment["PATH"]) else {
            throw QuantumError(.runnerFailed,
                               "QRMI's task runner '\(runnerName)' is not on the task's PATH: install the qrmi package in a venv and put its bin directory on PATH (the profile's setup:), or set \(Self.runnerVariable)")
        }
        let fm = FileManager.default
        let directory = "\(workDirectory)/qrmi-\(resource)-\(UUID().uuidString)"
        do {
            try fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw QuantumError(.io, "cannot create a directory for QRMI's task runner under \(workDirectory)", cause: error)
        }
        defer { try? fm.removeItem(atPath: directory) }
        let input = "\(directory)/input.json", output = "\(directory)/output.json"
        do {
            try payload.jsonData().write(to: URL(fileURLWithPath: input))
        } catch let error as QuantumError {
            throw error
        } catch {
            throw QuantumError(.io, "cannot write the QRMI payload to \(input)", cause: error)
        }
        let invocation = Invocation(executable: executable, arguments: [resource, input, output], environment: environment,
                                    stdoutPath: "\(directory)/stdout", stderrPath: "\(directory)/stderr", timeLimit: timeLimit)
        let exit = try await launch(invocation)

        let errorText = Self.tail(invocation.stderrPath), logText = Self.tail(invocation.stdoutPath)
        guard exit.exitCode == 0, !exit.timedOut else {
            let how = exit.timedOut ? "was stopped at the task's time limit"
                : exit.signal.map { "was killed by signal \($0)" } ?? "exited with status \(exit.exitCode ?? -1)"
            let detail = errorText ?? logText
            return .failed(reason: "QRMI task_runner for \(resource) \(how)\(detail.map { ": \($0)" } ?? "")", exit: exit)
        }
        // The runner exits 0 also when the QPU reports the task failed or cancelled: it then writes
        // no result, and says why in its log (stdout).
        guard let data = fm.contents(atPath: output) else {
            let detail = logText ?? errorText
            return .failed(reason: "QRMI task_runner for \(resource) ended without a result\(detail.map { ": \($0)" } ?? "")",
                           exit: exit)
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        let timings = QuantumTimings(queueWaitSeconds: 0, executionSeconds: seconds, totalSeconds: seconds)
        let resource = self.resource
        return .completed(try await PUBExecutor.offload { () throws(QuantumError) in
            try PUBJobResult.readRuntime(data, job: job, device: resource, timings: timings)
        })
    }

    /// `program` itself when it has a slash, else the first executable of that name on `path`.
    static func resolve(_ program: String, path: String?) -> String? {
        let fm = FileManager.default
        if program.contains("/") { return fm.isExecutableFile(atPath: program) ? program : nil }
        for dir in (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") where fm.isExecutableFile(atPath: "\(dir)/\(program)") {
            return "\(dir)/\(program)"
        }
        return nil
    }

    /// The last 2000 characters of a log, for a failure reason; nil when it is empty.
    static func tail(_ path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let text = String(decoding: data.suffix(2000), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }
}
