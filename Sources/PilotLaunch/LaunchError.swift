import CPilotSpawn
#if canImport(Glibc)
import Glibc
#endif

/// A task that could not be started, naming the step that failed and its errno.
public struct LaunchError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The failed step. Steps from `setsid` to `exec` ran in the child and were reported
    /// back before `spawn` returned.
    public enum Code: String, Sendable, Equatable {
        case invalidSpec
        case openStdout
        case openStderr
        case clone
        case helperThread
        case setsid
        case pdeathsig
        case parentDied
        case affinity
        case dup2
        case chdir
        case sigmask
        case exec
        case watch
        case duplicateToken
        case shutdown
        /// Creating or joining the task's cgroup.
        case cgroup
    }

    public var code: Code
    public var message: String
    public var errno: Int32

    public init(_ code: Code, _ message: String, errno: Int32) {
        self.code = code
        self.message = message
        self.errno = errno
    }

    public var description: String {
        guard errno != 0 else { return "\(code.rawValue): \(message)" }
        return "\(code.rawValue): \(message): \(String(cString: strerror(errno))) (errno \(errno))"
    }

    static func childStep(_ step: pilot_spawn_step) -> Code {
        switch step {
        case PILOT_SPAWN_STEP_CLONE: .clone
        case PILOT_SPAWN_STEP_SETSID: .setsid
        case PILOT_SPAWN_STEP_PDEATHSIG: .pdeathsig
        case PILOT_SPAWN_STEP_PARENT_DIED: .parentDied
        case PILOT_SPAWN_STEP_AFFINITY: .affinity
        case PILOT_SPAWN_STEP_DUP2: .dup2
        case PILOT_SPAWN_STEP_CHDIR: .chdir
        case PILOT_SPAWN_STEP_SIGMASK: .sigmask
        case PILOT_SPAWN_STEP_HELPER: .helperThread
        case PILOT_SPAWN_STEP_CGROUP: .cgroup
        default: .exec
        }
    }
}
