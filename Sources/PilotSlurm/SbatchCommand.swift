import Foundation

/// Submits a `BatchJobRequest` by running `sbatch`, for options libslurm's job
/// descriptor cannot carry. Blocking: call it where libslurm RPCs are called.
public struct SbatchCommand: Sendable {
    /// The `sbatch` executable: `SWIFTPILOT_SBATCH`, else the first on `PATH`.
    public var executable: String

    public init(executable: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.executable = executable ?? environment["SWIFTPILOT_SBATCH"].flatMap { $0.isEmpty ? nil : $0 }
            ?? Self.which("sbatch", path: environment["PATH"] ?? "/usr/bin:/bin") ?? "/usr/bin/sbatch"
    }

    /// The environment `sbatch` runs with. Its SBATCH_* input variables are left
    /// out: the request already folded them in (under the command line, as sbatch
    /// ranks them), and any left would set options the request does not have.
    public static func environment(for job: BatchJobRequest, slurmConf: String?) -> [String: String] {
        var env = job.environment.filter { !$0.key.hasPrefix("SBATCH_") }
        if env["PATH"] == nil { env["PATH"] = "/usr/local/bin:/usr/bin:/bin" }
        if let slurmConf, env["SLURM_CONF"] == nil { env["SLURM_CONF"] = slurmConf }
        return env
    }

    /// The script goes to sbatch as a file, not on stdin: an sbatch that fails
    /// before reading stdin would make the write raise SIGPIPE in this process.
    public func submit(_ job: BatchJobRequest, slurmConf: String?) throws(SlurmError) -> SlurmJobID {
        let scriptFile = try Self.temporaryScript(job.script, name: job.name)
        defer { unlink(scriptFile) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = Array(job.sbatchArguments.dropFirst()) + [scriptFile]
        process.environment = Self.environment(for: job, slurmConf: slurmConf)
        process.currentDirectoryURL = URL(fileURLWithPath: job.workingDirectory)
        let output = Pipe(), errors = Pipe()
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = errors
        do {
            try process.run()
        } catch {
            throw SlurmError(.submitFailed, "cannot run \(executable) for job '\(job.name)'", cause: "\(error)")
        }
        // stderr is small (a few lines); reading stdout to its end first cannot deadlock on it.
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let stdout = String(decoding: out, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let stderr = String(decoding: err, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard process.terminationStatus == 0 else {
            throw SlurmError(.submitFailed, "sbatch refused job '\(job.name)' (exit \(process.terminationStatus))",
                             slurmErrorText: stderr.isEmpty ? nil : stderr)
        }
        guard let id = Self.jobID(parsable: stdout) else {
            throw SlurmError(.submitFailed, "sbatch printed no job id for '\(job.name)'", cause: "stdout: \(stdout); stderr: \(stderr)")
        }
        return id
    }

    /// sbatch copies the script into the controller at submit; the file is gone right after.
    static func temporaryScript(_ script: String, name: String) throws(SlurmError) -> String {
        var template = Array((NSTemporaryDirectory() + "/swiftpilot-sbatch-XXXXXX").utf8CString)
        let fd = mkstemp(&template)
        guard fd >= 0 else {
            throw SlurmError(.submitFailed, "cannot write the script of '\(name)' for sbatch", cause: String(cString: strerror(errno)))
        }
        let path = String(cString: template)
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        do {
            try handle.write(contentsOf: Data(script.utf8))
            try handle.close()
        } catch {
            unlink(path)
            throw SlurmError(.submitFailed, "cannot write the script of '\(name)' for sbatch", cause: "\(error)")
        }
        return path
    }

    /// `--parsable` output: `JOBID` or `JOBID;CLUSTER`, possibly after warnings.
    static func jobID(parsable output: String) -> SlurmJobID? {
        output.split(separator: "\n").last.flatMap { SlurmJobID(String($0)) }
    }

    static func which(_ name: String, path: String) -> String? {
        path.split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
