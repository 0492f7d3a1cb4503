import Foundation
import Mustache

/// Renders `JobScripts/pilot.sbatch.mustache` into a pilot's batch script.
public struct JobScriptRenderer: Sendable {
    public static let templateFileName = "pilot.sbatch.mustache"

    public let templatePath: String
    private let template: MustacheTemplate

    /// Loads the template from `templatePath`, or else from the first of
    /// `candidateTemplatePaths()` that exists.
    public init(templatePath: String? = nil) throws(JobScriptError) {
        let path: String
        if let templatePath {
            path = templatePath
        } else {
            let candidates = Self.candidateTemplatePaths()
            guard let found = candidates.first(where: { FileManager.default.isReadableFile(atPath: $0) }) else {
                throw .templateNotFound(searched: candidates)
            }
            path = found
        }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw .templateUnreadable(path: path, reason: error.localizedDescription)
        }
        try self.init(templateText: text, path: path)
    }

    public init(templateText: String, path: String = "<inline>") throws(JobScriptError) {
        do {
            template = try MustacheTemplate(string: templateText)
        } catch {
            throw .templateInvalid(path: path, reason: "\(error)")
        }
        templatePath = path
    }

    /// `SWIFTPILOT_JOBSCRIPTS`, then `JobScripts/` beside the executable and in
    /// each of its parents (covers `.build/debug/pilot` in a checkout and an
    /// installed `bin/../share/swiftpilot`), then the current directory.
    public static func candidateTemplatePaths(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        executable: String = CommandLine.arguments.first ?? "",
        currentDirectory: String = FileManager.default.currentDirectoryPath
    ) -> [String] {
        var dirs: [String] = []
        if let dir = environment["SWIFTPILOT_JOBSCRIPTS"], !dir.isEmpty { dirs.append(dir) }
        let executableURL = URL(fileURLWithPath: executable, relativeTo: URL(fileURLWithPath: currentDirectory))
            .standardizedFileURL.resolvingSymlinksInPath()
        var dir = executableURL.deletingLastPathComponent()
        while dir.path != "/" && !dir.path.isEmpty {
            dirs.append(dir.appendingPathComponent("JobScripts").path)
            dirs.append(dir.appendingPathComponent("share/swiftpilot/JobScripts").path)
            dir = dir.deletingLastPathComponent()
        }
        dirs.append(URL(fileURLWithPath: currentDirectory).appendingPathComponent("JobScripts").path)
        var seen: Set<String> = []
        return dirs.map { "\($0)/\(templateFileName)" }.filter { seen.insert($0).inserted }
    }

    /// The batch script for one pilot. `#SBATCH` lines mirror what
    /// `BatchJobRequest.pilot(...)` sends through libslurm, so the script can
    /// also be submitted by hand with `sbatch`.
    ///
    /// Options rank as sbatch ranks them: the profile, then the SBATCH_* variables
    /// of `environment` (the submitting process's), then `overrides`.
    public func render(profile: ClusterProfile, overrides: ProfileOverrides = ProfileOverrides(),
                       context: JobScriptContext,
                       environment: [String: String] = ProcessInfo.processInfo.environment) throws(JobScriptError) -> String {
        try context.validate()
        let effective: ClusterProfile
        let notes: [String]
        do {
            let fromEnvironment = try profile.applyingSbatchEnvironment(environment)
            effective = try fromEnvironment.profile.applying(overrides)
            notes = fromEnvironment.notes
        } catch {
            throw .profile(error)
        }
        var values = Self.values(profile: effective, context: context)
        values["environment_notes"] = notes
        return template.render(values)
    }

    /// The path a pilot of this (effective) profile takes: options the job
    /// descriptor cannot carry send it through `sbatch`.
    public static func submissionPath(of profile: ClusterProfile) -> SubmissionPath {
        var scratch = BatchJobRequest(script: "#!/bin/sh\n", name: "", workingDirectory: "/", environment: [:])
        let sbatchOnly = profile.sbatch.filter { !SbatchOptionCatalog.apply($0, to: &scratch) }
        if let cluster = profile.cluster, cluster.slurmConf != nil { return .cluster(cluster) }
        return sbatchOnly.isEmpty ? .libslurm : .sbatch(options: sbatchOnly)
    }

    static func values(profile: ClusterProfile, context: JobScriptContext) -> [String: Any] {
        let qpu = profile.qpuDevices.map { device in device.slots.map { "\(device.name):\($0)" } ?? device.name }
        var values: [String: Any] = [
            "pilot_id": context.pilotID,
            "profile_name": profile.name,
            "nodes": profile.nodes,
            "walltime": profile.walltime.description,
            "walltime_seconds": profile.walltime.seconds,
            "exclusive": profile.exclusive,
            "drain_seconds": profile.agent.drainSignalSeconds,
            "heartbeat_interval": profile.agent.heartbeatInterval,
            "output": context.outputPath,
            "log_directory": context.logDirectory,
            "sbatch_options": profile.sbatch.map(\.directive),
            "submission_path": "\(submissionPath(of: profile))",
            "setup": profile.setup,
            "has_setup": !profile.setup.isEmpty,
            "pilot_id_q": ShellQuote.quote(context.pilotID),
            "manager_q": ShellQuote.quote(context.managerAddress),
            "token_file_q": ShellQuote.quote(context.tokenFile),
            "pilot_binary_q": ShellQuote.quote(context.pilotBinary),
            "qpu_devices_q": ShellQuote.quote(qpu.joined(separator: ",")),
            // Without a profile value the agent takes every CPU Slurm gave the node.
            "srun_cpus": profile.coresPerNode.map(String.init) ?? "\"$SLURM_CPUS_ON_NODE\"",
        ]
        // Mustache sections render for non-empty values only, so absent
        // options are left out of the dictionary rather than set to "".
        if let c = profile.cluster, let conf = c.slurmConf {
            values["cluster_line"] = "\(BatchJobRequest.clusterMarker)cluster=\(c.name) slurm_conf=\(conf)"
        }
        if let cores = profile.coresPerNode { values["cores_per_node"] = cores }
        if profile.gpusPerNode > 0 { values["gpus_per_node"] = profile.gpusPerNode }
        if let mib = profile.memoryPerNodeMiB { values["memory"] = "\(mib)M" }
        if let partition = profile.partition { values["partition"] = partition }
        if let account = profile.account { values["account"] = account }
        if let qos = profile.qos { values["qos"] = qos }
        if let constraint = profile.constraint { values["constraint"] = constraint }
        return values
    }
}
