import CPilotSpawn
#if canImport(Glibc)
import Glibc
#endif

/// One rank of a gang task, as `srun` starts it on some node: it pins itself to its cores, shows
/// only its GPUs, and becomes the program (see `RankBinding`). All of it is C, run before anything
/// else in the process, so a rank costs little more than loading the executable.
public enum RankExec {
    /// Execs `argv`; returns only when that was impossible.
    public static func exec(_ argv: [String]) -> LaunchError {
        guard !argv.isEmpty else { return LaunchError(.invalidSpec, "rank-exec: no program given", errno: EINVAL) }
        var cArgs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) }
        cArgs.append(nil)
        let step = pilot_rank_exec(cArgs)
        let e = errno
        for p in cArgs { free(p) }
        switch step {
        case PILOT_RANK_STEP_ENVIRONMENT:
            return LaunchError(.invalidSpec, "rank-exec needs \(RankBinding.environmentVariable), SLURMD_NODENAME and SLURM_LOCALID", errno: 0)
        case PILOT_RANK_STEP_PARSE:
            return LaunchError(.invalidSpec, "rank-exec: malformed \(RankBinding.environmentVariable)", errno: 0)
        case PILOT_RANK_STEP_NODE:
            return LaunchError(.invalidSpec, "rank-exec: node \(env("SLURMD_NODENAME")) has no ranks in the binding", errno: 0)
        case PILOT_RANK_STEP_RANK:
            return LaunchError(.invalidSpec, "rank-exec: local rank \(env("SLURM_LOCALID")) is beyond this node's ranks", errno: 0)
        case PILOT_RANK_STEP_AFFINITY:
            return LaunchError(.affinity, "rank-exec: cannot pin to the bound CPUs", errno: e)
        default:
            return LaunchError(.exec, "rank-exec: cannot execute \(argv[0])", errno: e)
        }
    }

    private static func env(_ name: String) -> String { getenv(name).map { String(cString: $0) } ?? "?" }
}
