import Foundation
import Logging
import NIOEmbedded
import PilotCore
import PilotProtocol
import PilotSlurm
import PilotStore
@testable import PilotManager

/// A manager core over a fresh server directory, with a scripted Slurm.
struct ManagerFixture {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    let dir: String
    let slurm: FakeSlurmClient
    let store: PilotStore
    let core: ManagerCore

    init(dir: String? = nil, slurm: FakeSlurmClient = FakeSlurmClient(firstJobID: 100)) throws {
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
        store = try PilotStore(directory: d)
        core = try ManagerCore(config: cfg, store: store, logger: Logger(label: "test.manager"))
    }

    /// Registers an agent the way the agent server does, over a channel nobody reads.
    @discardableResult
    func registerAgent(_ name: String, pilot: String?, cores: Int = 2) async throws -> Int {
        let hello = AgentHello(token: "secret", agentUUID: "\(name)-\(pilot ?? "-")", hostname: name, pilot: pilot,
                               resources: .uniform(hostname: name, domains: 1, coresPerDomain: cores), deadline: nil)
        return try await core.register(hello, link: AgentLink(channel: NIOAsyncTestingChannel())).agentID
    }

    func submit(_ n: Int, cores: Int = 1) async throws -> [Int64] {
        let spec = TaskSpec(name: "t", command: ["/bin/true"], request: ResourceRequest(cores: cores))
        let r = try await core.submit(SubmitRequest(tasks: Array(repeating: spec, count: n)))
        await core.tick()
        return Array(r.ids!)
    }

    func cleanup() { try? FileManager.default.removeItem(atPath: dir) }
}
