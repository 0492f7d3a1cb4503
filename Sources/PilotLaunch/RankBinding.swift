import PilotTopology

/// What each rank of a gang task gets on each node: the cores it is pinned to and the GPUs it sees.
/// The head agent writes it into the gang's `srun` environment; on every node, each rank reads its
/// own share (by `SLURMD_NODENAME` and `SLURM_LOCALID`) in `RankExec` before exec'ing the program.
/// The compact text form and its grammar are defined in CPilotSpawn's `pilot_rank.h`.
public struct RankBinding: Sendable, Equatable {
    public struct Rank: Sendable, Equatable {
        /// Real CPU numbers (empty: leave the affinity alone).
        public var cpus: [Int]
        /// GPU indices for CUDA_VISIBLE_DEVICES (nil: leave it alone).
        public var gpus: [Int]?
        public init(cpus: [Int], gpus: [Int]? = nil) { self.cpus = cpus; self.gpus = gpus }
    }

    public struct Node: Sendable, Equatable {
        public var host: String
        /// In `SLURM_LOCALID` order.
        public var ranks: [Rank]
        public init(host: String, ranks: [Rank]) { self.host = host; self.ranks = ranks }
    }

    public static let environmentVariable = "PILOT_RANK_BINDING"
    /// `pilot rank-exec PROGRAM ARGS…` runs `RankExec` for one rank.
    public static let execSubcommand = "rank-exec"

    public var nodes: [Node]
    public init(nodes: [Node]) { self.nodes = nodes }

    /// `n1=0-1@0/2-3@1;n2=0-1/2-3`.
    public var encoded: String {
        nodes.map { node in
            node.host + "=" + node.ranks.map { r in CPUList.format(r.cpus) + (r.gpus.map { "@" + CPUList.format($0) } ?? "") }
                .joined(separator: "/")
        }.joined(separator: ";")
    }

    /// Host names go into the text as they are; these characters would break its grammar.
    public var isEncodable: Bool {
        nodes.allSatisfy { !$0.host.isEmpty && !$0.host.contains { "=;/@".contains($0) } }
    }
}
