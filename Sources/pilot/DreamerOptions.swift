import ArgumentParser
import Foundation
import PilotQuantum

/// What `pilot dreamer …` and `pilot cut --auto` share: the device profiles, the model of a server
/// directory, the pool to plan for and the budget.
struct DreamerOptions: ParsableArguments {
    @Option(help: "Server directory holding the model (default: $PILOT_SERVER_DIR or ~/.pilot).") var serverDir: String?
    @Option(help: "Directory of QPU device profiles (default: Profiles/qpu of the installation).") var qpuProfiles: String?
    @Option(help: "Devices to consider, comma-separated (default: every profile).") var devices: String?
    @Option(help: "Cores free for quantum tasks across the pilots.") var cores = 4
    @Option(help: "Largest sampling overhead a plan may have.") var maxOverhead: Double?
    @Option(help: "Most shots a plan may spend over all its sub-experiments.") var maxShots: Int?
    @Option(help: "Largest predicted error of the reconstructed value (statistical + noise bias).") var errorTarget: Double?

    /// Resolved as `ServerOptions` resolves it.
    var serverDirectory: String {
        if let s = serverDir { return (s as NSString).expandingTildeInPath }
        if let e = ProcessInfo.processInfo.environment["PILOT_SERVER_DIR"], !e.isEmpty { return e }
        return NSHomeDirectory() + "/.pilot"
    }

    func profiles() throws -> [QPUDeviceProfile] {
        guard let dir = qpuProfiles ?? ProjectFiles.find("Profiles").map({ $0 + "/qpu" }) else {
            throw CLIError("no QPU device profiles found (give --qpu-profiles DIR)", exit: .notFound)
        }
        let all: [QPUDeviceProfile]
        do { all = try QPUDeviceProfile.loadAll(directory: dir) } catch { throw CLIError("\(error)") }
        guard let list = devices else { return all }
        let names = list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        var out: [QPUDeviceProfile] = []
        for n in names {
            guard let p = all.first(where: { $0.name == n }) else {
                throw CLIError("--devices: no device '\(n)' in \(dir) (known: \(all.map(\.name).sorted().joined(separator: ", ")))",
                               exit: .usage)
            }
            out.append(p)
        }
        return out
    }

    /// The server directory's model; a missing or unreadable model file is announced on stderr and
    /// the documented default is used.
    func model(quiet: Bool = false) -> PerformanceModel {
        let (model, warning) = PerformanceModel.load(serverDir: serverDirectory)
        if let warning, !quiet { FileHandle.standardError.write(Data("warning: \(warning)\n".utf8)) }
        return model
    }

    func budget() throws -> CutBudget {
        if let m = maxOverhead, !(m >= 1) { throw CLIError("--max-overhead: must be at least 1, got \(m)", exit: .usage) }
        if let m = maxShots, m < 1 { throw CLIError("--max-shots: must be at least 1, got \(m)", exit: .usage) }
        if let e = errorTarget, !(e > 0) { throw CLIError("--error-target: must be positive, got \(e)", exit: .usage) }
        return CutBudget(maxSamplingOverhead: maxOverhead, maxTotalShots: maxShots, errorTarget: errorTarget)
    }

    func pool(_ profiles: [QPUDeviceProfile]) throws -> ResourcePool {
        guard cores >= 1 else { throw CLIError("--cores: must be at least 1, got \(cores)", exit: .usage) }
        return ResourcePool(cores: cores, profiles: profiles)
    }
}
