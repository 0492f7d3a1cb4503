import Foundation
import Testing

/// `pilot rank-exec`, as srun starts it for each rank of a gang: the real binary, no Slurm needed
/// (the variables srun would set are given by hand).
@Suite struct RankExecEndToEndTests {
    static let probe = "grep Cpus_allowed_list: /proc/self/status; echo \"cuda=${CUDA_VISIBLE_DEVICES-unset} binding=${PILOT_RANK_BINDING-unset}\""

    @Test func eachRankPinsItselfToItsOwnCoresOnItsNode() throws {
        let cpus = Self.allowedCPUs()
        try #require(!cpus.isEmpty)
        let last = cpus.last!
        // This host plays node "b"; its second rank gets the last CPU and GPU 3.
        let binding = "a=\(cpus[0])@0/\(cpus[0])@1;b=\(cpus[0])@2/\(last)@3"
        let r = try PilotBinary.run(["rank-exec", "--", "/bin/sh", "-c", Self.probe],
                                    env: ["PILOT_RANK_BINDING": binding, "SLURMD_NODENAME": "b", "SLURM_LOCALID": "1",
                                          "CUDA_VISIBLE_DEVICES": "0,1,2,3"])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out == "Cpus_allowed_list:\t\(last)\ncuda=3 binding=unset\n", "\(r.out)")
    }

    @Test func aRankWithoutAPlaceFailsClearly() throws {
        let r = try PilotBinary.run(["rank-exec", "--", "/bin/true"],
                                    env: ["PILOT_RANK_BINDING": "a=0", "SLURMD_NODENAME": "c", "SLURM_LOCALID": "0"])
        #expect(r.status == 127)
        #expect(r.err.contains("node c has no ranks in the binding"), "\(r.err)")
        let missing = try PilotBinary.run(["rank-exec", "--", "/no/such/program"],
                                          env: ["PILOT_RANK_BINDING": "a=0", "SLURMD_NODENAME": "a", "SLURM_LOCALID": "0"])
        #expect(missing.status == 127)
        #expect(missing.err.contains("cannot execute /no/such/program"), "\(missing.err)")
    }

    static func allowedCPUs() -> [Int] {
        guard let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = s.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed_list:") }) else { return [] }
        return cpuList(String(line.dropFirst("Cpus_allowed_list:".count)))
    }
}
