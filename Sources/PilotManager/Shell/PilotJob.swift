import Foundation
import PilotProtocol
import PilotSlurm

/// A pilot's Slurm job, rendered from its profile: read by the shell (files, the job script
/// template, `access.json`), never by the reactor.
struct PilotJob {
    var profile: ClusterProfile
    var effective: ClusterProfile
    var script: String
    var request: BatchJobRequest
    var path: String

    /// Loads the profile, applies the overrides and renders the script for pilot `pilot`.
    static func prepare(_ given: String, overrides o: PilotOverrides?, pilot: String, config: ManagerConfig,
                        render: Bool = true) throws(ManagerError) -> PilotJob {
        let path = try profilePath(given, config: config)
        let profile: ClusterProfile
        do { profile = try ClusterProfile.load(path: path) } catch {
            throw ManagerError(.badRequest, error.description, field: "profile", cause: error)
        }
        let overrides = try profileOverrides(o)
        let effective: ClusterProfile
        do { effective = try profile.applying(overrides) } catch {
            throw ManagerError(.badRequest, error.description, field: "overrides", cause: error)
        }
        let access: AccessFile
        do { access = try AccessFile.read(from: config.serverDir) } catch {
            throw ManagerError(.unavailable, "the manager has not written its access file yet: \(error)")
        }
        let logDir = config.serverDir + "/pilots/\(pilot)"
        let context = JobScriptContext(pilotID: pilot, managerHost: agentHost(config), managerPort: access.agentPort,
                                       tokenFile: AccessFile.path(in: config.serverDir),
                                       pilotBinary: config.pilots.pilotBinary ?? PilotSettings.ownExecutable, logDirectory: logDir)
        let script: String
        do {
            script = try JobScriptRenderer(templatePath: config.pilots.templatePath).render(profile: profile, overrides: overrides,
                                                                                           context: context)
        } catch {
            if case .profile(let pe) = error { throw ManagerError(.badRequest, pe.description, field: "overrides", cause: error) }
            throw ManagerError(.internal, "cannot render the pilot job script: \(error)", cause: error)
        }
        let request: BatchJobRequest
        do {
            request = try BatchJobRequest.pilot(profile: profile, overrides: overrides, context: context, script: script,
                                                environment: ProcessInfo.processInfo.environment)
        } catch {
            throw ManagerError(.badRequest, error.description, field: "profile", cause: error)
        }
        if render {
            do { try FileManager.default.createDirectory(atPath: logDir, withIntermediateDirectories: true) } catch {
                throw ManagerError(.internal, "cannot create the pilot log directory \(logDir): \(error)", cause: error)
            }
        }
        return PilotJob(profile: profile, effective: effective, script: script, request: request, path: path)
    }

    /// Where the pilot goes and what its nodes hold, for the reactor's records and routing.
    var shape: PilotShape {
        PilotShape(cluster: effective.cluster, nodes: effective.nodes, coresPerNode: effective.coresPerNode,
                   gpusPerNode: effective.gpusPerNode, memoryPerNodeMiB: effective.memoryPerNodeMiB)
    }

    /// The pilot the reactor records and the Slurm worker submits.
    func prepared(pilot: String, overrides: PilotOverrides?) -> PreparedPilot {
        PreparedPilot(pilot: pilot, profilePath: path, profileName: profile.name, nodes: effective.nodes, overrides: overrides,
                      requestJSON: ManagerReactor.requestJSON(path: path, overrides: overrides, cluster: effective.cluster),
                      shape: shape)
    }

    static func profilePath(_ given: String, config: ManagerConfig) throws(ManagerError) -> String {
        if given.contains("/") || given.hasSuffix(".yaml") || given.hasSuffix(".yml") {
            guard given.hasPrefix("/") else {
                throw ManagerError(.badRequest, "'\(given)' must be an absolute path (or a profile name)", field: "profile")
            }
            return given
        }
        guard !given.isEmpty, given.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." }) else {
            throw ManagerError(.badRequest, "'\(given)' is not a profile name", field: "profile")
        }
        guard let dir = config.pilots.profileDirectory else {
            throw ManagerError(.badRequest, "this manager has no profile directory; give the profile as an absolute path", field: "profile")
        }
        let path = "\(dir)/\(given).yaml"
        guard FileManager.default.fileExists(atPath: path) else {
            let known = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [])
                .filter { $0.hasSuffix(".yaml") }.map { String($0.dropLast(5)) }.sorted()
            // A well-formed name that names nothing: not found, as an unknown id is.
            throw ManagerError(.notFound, "no profile '\(given)' in \(dir) (known: \(known.joined(separator: ", ")))", field: "profile")
        }
        return path
    }

    static func profileOverrides(_ o: PilotOverrides?) throws(ManagerError) -> ProfileOverrides {
        guard let o else { return ProfileOverrides() }
        var p = ProfileOverrides(nodes: o.nodes, partition: o.partition, account: o.account, qos: o.qos,
                                 constraint: o.constraint, gpusPerNode: o.gpusPerNode)
        if let w = o.walltime {
            // The command-line parser already knows sbatch's spellings (bare minutes, [D-]HH:MM:SS).
            do { p.walltime = try ProfileOverrides.parse(arguments: ["--time=\(w)"]).overrides.walltime } catch {
                throw ManagerError(.badRequest, error.reason, field: "overrides.walltime", cause: error)
            }
        }
        return p
    }

    static func agentHost(_ config: ManagerConfig) -> String {
        if let h = config.pilots.agentHost { return h }
        return config.host == "0.0.0.0" || config.host == "::" ? ProcessInfo.processInfo.hostName : config.host
    }
}
