import CPilotSpawn
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Makes sure no process of a task outlives it: whatever the task started (children, grandchildren,
/// `setsid` daemons) ends when the task ends, is cancelled, hits its time limit, or when its agent
/// died (then the next agent on the node ends them before it takes work).
///
/// Two mechanisms, chosen once per agent:
/// - `cgroup`: each task runs in a cgroup v2 of its own (for its life; emptied ones are reused),
///   under the agent's own cgroup, which the child joins before exec; at the end `cgroup.kill` ends
///   every process in it, however it detached itself. Used wherever the agent can create cgroups (root, or a delegated subtree as
///   Slurm and systemd give): nothing escapes it.
/// - `subreaper`: where cgroups cannot be created. The agent becomes a child subreaper, so orphaned
///   descendants are re-parented to it rather than to init; every task's processes carry
///   `PILOT_TASK_KEY` (agent pid and start time, task name) in their environment. At the end the
///   task's process group is killed, and, when orphans exist, every process carrying the task's key.
///   A process that both leaves the session and clears its environment escapes this one.
///
/// Every process also carries `PILOT_TASK_KEY` under cgroups, so leftovers of a dead agent are found
/// either way: by their cgroup (`pilot-agent-PID.START`) or by their key, whose agent is gone.
public final class TaskContainment: Sendable {
    public enum Mechanism: String, Sendable, CaseIterable {
        case cgroup, subreaper
        /// Nothing beyond the process group (benchmarks of the bare launcher).
        case none
    }

    public static let variable = "PILOT_TASK_KEY"

    public let mechanism: Mechanism
    /// `PID.STARTTICKS` of this process: unique on the node for good, and checkable after death.
    public let owner: String
    /// The agent's cgroup directory for its tasks (cgroup mode only).
    let cgroupRoot: String?
    /// Where every agent's directory lives (the agent's own cgroup), for the leftovers of dead ones.
    let cgroupParent: String?
    /// Emptied cgroups kept for the next tasks: creating and removing one per task cost a few
    /// hundred microseconds of the spawn and reaper threads. A pooled cgroup keeps its directory
    /// and its `cgroup.events` open, so reusing one costs no path walk at the start nor at the end.
    private let pool = Mutex<CgroupPool>(CgroupPool())

    struct CgroupPool {
        var free: [PooledCgroup] = []
        var inUse: [String: PooledCgroup] = [:]
        var made = 0
    }

    /// A task cgroup with its descriptors, open from its creation until it is removed.
    struct PooledCgroup: Sendable {
        let path: String
        let dirFD: Int32
        /// -1 if it could not be opened; `populated` then opens it by path.
        let eventsFD: Int32

        func remove() {
            closeDescriptors()
            rmdir(path)
        }

        func closeDescriptors() {
            close(dirFD)
            if eventsFD >= 0 { close(eventsFD) }
        }
    }

    /// `preferred` nil: `$PILOT_CONTAINMENT` if set, else cgroups where possible, else the subreaper fallback.
    public init(preferred: Mechanism? = nil) {
        let preferred = preferred ?? getenv("PILOT_CONTAINMENT").flatMap { Mechanism(rawValue: String(cString: $0)) }
        let me = ProcessTable.stat(getpid())
        owner = "\(getpid()).\(me?.startTicks ?? 0)"
        var mechanism = preferred ?? .cgroup
        var root: String?
        var parent: String?
        if mechanism == .cgroup {
            if let p = Self.ownCgroupDirectory() {
                let r = p + "/pilot-agent-" + owner
                if mkdir(r, 0o755) == 0 || errno == EEXIST {
                    // cgroup.kill arrived in Linux 5.14; without it a cgroup cannot end its processes at once.
                    if access(r + "/cgroup.kill", W_OK) == 0 { root = r; parent = p } else { rmdir(r) }
                }
            }
            if root == nil { mechanism = .subreaper }
        }
        if mechanism == .subreaper { _ = pilot_spawn_set_child_subreaper() }
        self.mechanism = mechanism
        cgroupRoot = root
        cgroupParent = parent
    }

    /// The value of `variable` for a task called `name` (unique within this agent).
    public func tag(_ name: String) -> String { "\(owner)/\(name)" }

    // MARK: start

    /// The open directory of a cgroup for task `name`, for the child to be born in (or join before
    /// exec); -1 outside cgroup mode. The descriptor stays the containment's: it is closed only when
    /// the cgroup is removed, after the task's `end`, so the caller must not close it.
    func enter(_ name: String) throws(LaunchError) -> Int32 {
        guard let root = cgroupRoot else { return -1 }
        let (reused, number) = pool.withLock { p -> (PooledCgroup?, Int) in
            if let c = p.free.popLast() {
                p.inUse[name] = c
                return (c, 0)
            }
            p.made += 1
            return (nil, p.made)
        }
        if let reused { return reused.dirFD }
        let dir = root + "/c\(number)"
        if mkdir(dir, 0o755) != 0, errno != EEXIST {
            throw LaunchError(.cgroup, "cannot create cgroup \(dir)", errno: errno)
        }
        let fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else {
            let e = errno
            rmdir(dir)
            throw LaunchError(.cgroup, "cannot open \(dir)", errno: e)
        }
        let cgroup = PooledCgroup(path: dir, dirFD: fd, eventsFD: openat(fd, "cgroup.events", O_RDONLY | O_CLOEXEC))
        pool.withLock { $0.inUse[name] = cgroup }
        return fd
    }

    /// The cgroup task `name` holds, while it holds one.
    func pooled(_ name: String) -> PooledCgroup? { pool.withLock { $0.inUse[name] } }

    /// Gives back a cgroup prepared for a task that never started.
    func abandon(_ name: String) {
        pool.withLock { p in
            if let c = p.inUse.removeValue(forKey: name) { p.free.append(c) }
        }
    }

    // MARK: end

    /// Ends every process left of task `name`, whose leader has exited. Call with the leader not yet
    /// reaped when `group` is its process group, so that id cannot have been reused.
    /// Returns how many processes it had to kill (the group counts as one).
    @discardableResult
    /// `tracked`: the launcher's own children (task leaders), or nil while a spawn is in flight
    /// (then no zombie is reaped, as it might be a leader not yet registered).
    func end(_ name: String, group: pid_t?, tracked: () -> Set<pid_t>?) -> Int {
        var killed = 0
        let cgroup = mechanism == .cgroup ? pool.withLock({ $0.inUse.removeValue(forKey: name) }) : nil
        // Everything the task started was born in its cgroup: an empty one leaves nothing in its
        // group either (most tasks), so the group needs no signal.
        if let cgroup, !Self.populated(cgroup.path, events: cgroup.eventsFD) {
            pool.withLock { $0.free.append(cgroup) }
            return 0
        }
        if let group, kill(-group, SIGKILL) == 0 { killed += 1 }
        switch mechanism {
        case .none:
            return killed
        case .cgroup:
            guard let cgroup else { return killed }
            let (had, empty) = Self.emptyCgroup(cgroup.path, events: cgroup.eventsFD)
            // One that would not empty (a process stuck in the kernel) is not handed to another task,
            // nor is one that had to be killed: Linux kills a child cloned into a cgroup
            // (CLONE_INTO_CGROUP) whose kill count differs from its parent's cgroup's, so a task
            // started there would die at birth. It is removed; the next task gets a fresh one.
            if empty && had == 0 {
                pool.withLock { $0.free.append(cgroup) }
            } else if empty {
                cgroup.remove()
            } else {
                // Left in place, never reused: only its descriptors go.
                cgroup.closeDescriptors()
            }
            return killed + had
        case .subreaper:
            // Whatever of the task outlives its leader descends from a process re-parented to us when
            // its parent died (the leader, at the latest), so it shows among the adopted children.
            // Without a live one there is nothing to look for. (The group kill above succeeds on the
            // leader's zombie alone, so it says nothing.)
            let mine = tracked()
            var adopted = false
            for pid in ProcessTable.adoptedChildren() where !(mine?.contains(pid) ?? false) {
                guard let st = ProcessTable.stat(pid) else { continue }
                guard st.state == UInt8(ascii: "Z") else { adopted = true; continue }
                // An orphan that ended by itself. Task leaders are forked by the launcher's threads,
                // never the main one, so this is not one of them and its status is nobody's; `mine`
                // known means no spawn is in flight either.
                if mine != nil { var status: Int32 = 0; _ = waitpid(pid, &status, WNOHANG) }
            }
            guard adopted else { return killed }
            let key = tag(name)
            killed += killTagged { $0 == key }
            return killed
        }
    }

    /// Kills every process whose key `matches`, until none is left (a kill re-parents the victim's
    /// children, which may fork meanwhile), and reaps those that were our children.
    private func killTagged(_ matches: (String) -> Bool) -> Int {
        var total = 0
        let me = getpid()
        for _ in 0..<8 {
            var round = 0
            for pid in ProcessTable.pids() where pid != me {
                guard let value = ProcessTable.environmentValue(pid, Self.variable), matches(value) else { continue }
                if kill(pid, SIGKILL) == 0 { round += 1 }
                if ProcessTable.stat(pid)?.ppid == me { var st: Int32 = 0; _ = waitpid(pid, &st, 0) }
            }
            total += round
            if round == 0 { break }
        }
        return total
    }

    /// `cgroup.kill` if anything runs in it, then waits (at most about 2 s) for it to empty.
    /// Returns 1 if anything was still running, and whether it is empty now.
    /// `events`: its `cgroup.events`, open, or -1.
    static func emptyCgroup(_ dir: String, events: Int32 = -1) -> (had: Int, empty: Bool) {
        guard populated(dir, events: events) else { return (0, true) }
        let fd = open(dir + "/cgroup.kill", O_WRONLY | O_CLOEXEC)
        if fd >= 0 { _ = write(fd, "1", 1); close(fd) }
        // The kill is asynchronous: the cgroup empties a moment later.
        for attempt in 0..<200 {
            if !populated(dir, events: events) { return (1, true) }
            waitUntilEmpty(dir, milliseconds: attempt < 20 ? 1 : 10)
        }
        return (1, !populated(dir, events: events))
    }

    /// Empties and removes a cgroup. Returns 1 if anything was still running in it.
    static func killCgroup(_ dir: String) -> Int {
        let had = emptyCgroup(dir).had
        rmdir(dir)
        return had
    }

    /// Reads `events` (an open `cgroup.events`) from its start, which makes the kernel write it
    /// anew; with -1, opens it by path.
    static func populated(_ dir: String, events: Int32 = -1) -> Bool {
        if events >= 0 {
            var buffer = (UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0))
            let answer: Bool? = withUnsafeMutableBytes(of: &buffer) { raw in
                let n = pread(events, raw.baseAddress, raw.count, 0)
                guard n > 0 else { return nil }
                return Self.saysPopulated(UnsafeRawBufferPointer(rebasing: raw[..<n]))
            }
            if let answer { return answer }
        }
        guard let text = ProcessTable.readSmall(dir + "/cgroup.events", limit: 4096) else { return false }
        return text.withUnsafeBytes { Self.saysPopulated($0) }
    }

    private static let populatedKey = Array("populated ".utf8)

    /// Whether `cgroup.events` text has the line `populated 1`.
    static func saysPopulated(_ text: UnsafeRawBufferPointer) -> Bool {
        let key = populatedKey
        var lineStart = 0
        for i in 0...text.count where i == text.count || text[i] == UInt8(ascii: "\n") {
            let line = UnsafeRawBufferPointer(rebasing: text[lineStart..<i])
            if line.count == key.count + 1, line.starts(with: key) { return line[key.count] == UInt8(ascii: "1") }
            lineStart = i + 1
        }
        return false
    }

    /// cgroup.events signals POLLPRI when it changes.
    private static func waitUntilEmpty(_ dir: String, milliseconds: Int32) {
        let fd = open(dir + "/cgroup.events", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        defer { close(fd) }
        var p = pollfd(fd: fd, events: Int16(POLLPRI), revents: 0)
        _ = poll(&p, 1, milliseconds)
    }

    // MARK: leftovers of dead agents

    /// Ends the processes of tasks whose agent is dead: cgroups of dead agents in the same parent
    /// cgroup, and processes whose key names a dead agent. Call before taking work.
    /// Returns how many processes or cgroups it ended.
    public func endLeftovers() -> Int {
        var ended = 0
        if let parent = cgroupParent, let dir = opendir(parent) {
            var stale: [String] = []
            while let entry = readdir(dir) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                guard name.hasPrefix("pilot-agent-"), !Self.ownerAlive(String(name.dropFirst("pilot-agent-".count))) else { continue }
                stale.append(parent + "/" + name)
            }
            closedir(dir)
            for agentDir in stale {
                if let tasks = opendir(agentDir) {
                    var names: [String] = []
                    while let e = readdir(tasks) {
                        let n = withUnsafeBytes(of: e.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                        var st = stat()
                        if !n.hasPrefix("."), stat(agentDir + "/" + n, &st) == 0, st.st_mode & S_IFMT == S_IFDIR { names.append(n) }
                    }
                    closedir(tasks)
                    for n in names { ended += Self.killCgroup(agentDir + "/" + n) }
                }
                rmdir(agentDir)
            }
        }
        ended += killTagged { value in
            guard let slash = value.firstIndex(of: "/") else { return false }
            let owner = String(value[..<slash])
            return owner != self.owner && !Self.ownerAlive(owner)
        }
        return ended
    }

    /// Whether the process `PID.STARTTICKS` still runs.
    static func ownerAlive(_ owner: String) -> Bool {
        let parts = owner.split(separator: ".")
        guard parts.count == 2, let pid = Int32(parts[0]), let start = UInt64(parts[1]) else { return false }
        guard let s = ProcessTable.stat(pid) else { return false }
        return s.startTicks == start && s.state != UInt8(ascii: "Z")
    }

    /// Removes this agent's own (empty) cgroup directory; tasks still running keep it.
    public func removeOwnCgroup() {
        guard let root = cgroupRoot else { return }
        let free = pool.withLock { p in defer { p.free.removeAll() }; return p.free }
        for cgroup in free { cgroup.remove() }
        rmdir(root)
    }

    // MARK: discovery

    /// The cgroup v2 directory this process is in, if it can create cgroups there.
    static func ownCgroupDirectory() -> String? {
        guard let mount = cgroup2Mount(),
              let text = ProcessTable.readSmall("/proc/self/cgroup", limit: 1 << 16) else { return nil }
        // "0::/path" is the unified hierarchy's line.
        for line in String(decoding: text, as: UTF8.self).split(separator: "\n") where line.hasPrefix("0::") {
            let rel = String(line.dropFirst(3))
            let dir = rel == "/" ? mount : mount + rel
            guard access(dir, W_OK) == 0, access(dir + "/cgroup.procs", W_OK) == 0 else { return nil }
            return dir
        }
        return nil
    }

    /// Where the unified (v2) hierarchy is mounted: /sys/fs/cgroup, or /sys/fs/cgroup/unified on
    /// hybrid systems.
    static func cgroup2Mount() -> String? {
        guard let text = ProcessTable.readSmall("/proc/self/mountinfo", limit: 1 << 20) else { return nil }
        for line in String(decoding: text, as: UTF8.self).split(separator: "\n") {
            // ... mount-point ... - fstype source options
            let halves = line.split(separator: " - ", maxSplits: 1)
            guard halves.count == 2, halves[1].hasPrefix("cgroup2 ") else { continue }
            let fields = halves[0].split(separator: " ")
            if fields.count > 4 { return String(fields[4]) }
        }
        return nil
    }
}
