import Foundation
import Testing

extension LiveCluster {
    /// A manager planning with some of the shipped QPU device profiles, and two pilots of one
    /// 2-core node each (agents run the devices from the shipped directory).
    func startWithDevices(_ devices: [String]) async throws {
        let profiles = dir + "/qpu"
        try FileManager.default.createDirectory(atPath: profiles, withIntermediateDirectories: true)
        for d in devices {
            try FileManager.default.copyItem(atPath: PilotBinary.root.path + "/Profiles/qpu/\(d).yaml", toPath: profiles + "/\(d).yaml")
        }
        try await startManager(extra: ["--qpu-profiles", profiles])
        for p in ["a", "b"] {
            _ = try startAgent(["--topology", "synthetic:package:1 numa:1 core:2 pu:1", "--pilot-id", "pilot-\(p)"], name: "agent-\(p)")
        }
        try await waitForAgents(2)
        #expect(Set(try await client.agents().compactMap(\.pilot)) == ["pilot-a", "pilot-b"])
    }
}
