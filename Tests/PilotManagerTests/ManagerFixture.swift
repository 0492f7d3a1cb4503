import Foundation
import Logging
import PilotCore
import PilotProtocol
import PilotSlurm
import PilotStore
@testable import PilotManager

/// A reactor over a fresh server directory, driven by a recording shell, with a scripted Slurm.
struct ManagerFixture {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    let dir: String
    let slurm: FakeSlurmClient
    let store: PilotStore
    let core: RecordingShell

    init(dir: String? = nil, slurm: FakeSlurmClient = FakeSlurmClient(firstJobID: 100), configure: (inout ManagerConfig) -> Void = { _ in },
         clock: @escaping () -> Double = { Date().timeIntervalSince1970 }) throws {
        let d = dir ?? NSTemporaryDirectory() + "pilot-mgr-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        if (try? AccessFile.read(from: d)) == nil {
            try AccessFile(host: "127.0.0.1", port: 1, agentPort: 4242, token: "secret").write(to: d)
        }
        self.dir = d
        self.slurm = slurm
        var cfg = ManagerConfig(serverDir: d)
        cfg.slurm = slurm
        cfg.pilots.profileDirectory = Self.root + "/Profiles"
        cfg.pilots.templatePath = Self.root + "/JobScripts/pilot.sbatch.mustache"
        cfg.pilots.pilotBinary = "/opt/swiftpilot/bin/pilot"
        configure(&cfg)
        store = try PilotStore(directory: d)
        core = try RecordingShell(config: cfg, store: store, slurm: slurm, clock: clock)
    }

    /// Registers an agent the way the agent channel does.
    @discardableResult
    func registerAgent(_ name: String, pilot: String?, cores: Int = 2) async throws -> Int {
        let hello = AgentHello(token: "", agentUUID: "\(name)-\(pilot ?? "-")", hostname: name, pilot: pilot,
                               resources: .uniform(hostname: name, domains: 1, coresPerDomain: cores), deadline: nil)
        return try core.register(hello)
    }

    func submit(_ n: Int, cores: Int = 1) async throws -> [Int64] {
        let spec = TaskSpec(name: "t", command: ["/bin/true"], request: ResourceRequest(cores: cores))
        let r = try core.submit(SubmitRequest(tasks: Array(repeating: spec, count: n)))
        core.tick()
        return Array(r.ids!)
    }

    func cleanup() { try? FileManager.default.removeItem(atPath: dir) }
}
