import CPilotSpawn
#if canImport(Glibc)
import Glibc
#endif

/// Everything the child needs, built in the parent: C strings, the resolved path, opened
/// output files and the CPU mask. The child then only makes system calls.
///
/// Unchecked Sendable: it is never changed after `init`, and a successor's is built on the
/// caller's thread and handed, under the launcher's lock, to the reaper thread that uses it.
final class PreparedSpawn: @unchecked Sendable {
    private var cStrings: [UnsafeMutablePointer<CChar>] = []
    private var argv: [UnsafeMutablePointer<CChar>?] = []
    private var envp: [UnsafeMutablePointer<CChar>?] = []
    private var path: UnsafeMutablePointer<CChar>?
    private var cwd: UnsafeMutablePointer<CChar>?
    private var cpuMask: [UInt64] = []
    private var ownedFDs: [Int32] = []
    private var stdoutFD: Int32 = -1
    private var stderrFD: Int32 = -1
    private let devNull: Int32
    /// Keeps the shared environment's C strings alive as long as `envp` points at them.
    private var base: EnvironmentBlock?
    private let newSession: Bool
    private let parentDeathSignal: Int32
    /// The directory of the task's cgroup, borrowed from the containment's pool, which keeps it
    /// open until the cgroup is removed; -1: the task gets no cgroup of its own.
    private let cgroupDirFD: Int32

    init(_ spec: SpawnSpec, devNull: Int32, cgroupDirFD: Int32 = -1) throws(LaunchError) {
        self.devNull = devNull
        self.cgroupDirFD = cgroupDirFD
        newSession = spec.newSession
        parentDeathSignal = spec.parentDeathSignal ?? 0
        do {
            try prepare(spec)
        } catch {
            release()
            throw error
        }
    }

    deinit { release() }

    private func prepare(_ spec: SpawnSpec) throws(LaunchError) {
        guard !spec.executable.isEmpty else { throw LaunchError(.invalidSpec, "empty executable", errno: EINVAL) }
        func refuseNUL(_ text: String?) throws(LaunchError) {
            if let text, text.utf8.contains(0) { throw LaunchError(.invalidSpec, "NUL byte in \"\(text)\"", errno: EINVAL) }
        }
        try refuseNUL(spec.executable)
        for a in spec.arguments { try refuseNUL(a) }
        for (k, v) in spec.environment { try refuseNUL(k); try refuseNUL(v) }
        try refuseNUL(spec.workingDirectory)
        try refuseNUL(spec.stdoutPath)
        try refuseNUL(spec.stderrPath)
        if let bad = spec.environment.keys.first(where: { $0.isEmpty || $0.utf8.contains(UInt8(ascii: "=")) }) {
            throw LaunchError(.invalidSpec, "invalid environment name \"\(bad)\"", errno: EINVAL)
        }
        if let parentDeathSignal = spec.parentDeathSignal, !(1..<65).contains(parentDeathSignal) {
            throw LaunchError(.invalidSpec, "invalid parent-death signal \(parentDeathSignal)", errno: EINVAL)
        }

        path = copy(try Self.resolve(spec.executable, path: spec.environment["PATH"] ?? spec.baseEnvironment?["PATH"]))
        argv = ([spec.executable] + spec.arguments).map { copy($0) } + [nil]
        envp.reserveCapacity(spec.environment.count + (spec.baseEnvironment?.entries.count ?? 0) + 1)
        for (k, v) in spec.environment { envp.append(copy("\(k)=\(v)")) }
        // The block's strings outlive this spawn (the spec holds the block); they are not copied.
        base = spec.baseEnvironment
        if let block = spec.baseEnvironment {
            var overridden: [Int] = []
            for name in spec.environment.keys { if let i = block.positions[name] { overridden.append(i) } }
            overridden.sort()
            if overridden.isEmpty {
                envp.append(contentsOf: block.cStrings)
            } else {
                var next = 0
                for (i, c) in block.cStrings.enumerated() {
                    if next < overridden.count, overridden[next] == i { next += 1; continue }
                    envp.append(c)
                }
            }
        }
        envp.append(nil)
        cwd = spec.workingDirectory.map { copy($0) }

        if !spec.cpus.isEmpty {
            // The kernel takes masks of any whole number of longs; 1 << 16 CPUs is far beyond
            // any node and keeps a typo from allocating a huge mask.
            if let bad = spec.cpus.first(where: { $0 < 0 || $0 >= 1 << 16 }) {
                throw LaunchError(.affinity, "CPU \(bad) is out of range", errno: EINVAL)
            }
            cpuMask = [UInt64](repeating: 0, count: spec.cpus.max()! / 64 + 1)
            for cpu in spec.cpus { cpuMask[cpu / 64] |= 1 << UInt64(cpu % 64) }
        }

        stdoutFD = try spec.stdoutPath.map { path throws(LaunchError) in try openOutput(path, .openStdout) } ?? devNull
        if let stderrPath = spec.stderrPath {
            stderrFD = stderrPath == spec.stdoutPath ? stdoutFD : try openOutput(stderrPath, .openStderr)
        } else {
            stderrFD = devNull
        }
    }

    /// Calls `body` with the C argument block; pointers are valid only inside.
    func withArgs<R>(_ body: (inout pilot_spawn_args) -> R) -> R {
        argv.withUnsafeBufferPointer { argvBuffer in
            envp.withUnsafeBufferPointer { envpBuffer in
                cpuMask.withUnsafeBytes { maskBytes in
                    var args = pilot_spawn_args(
                        path: path,
                        argv: argvBuffer.baseAddress,
                        envp: envpBuffer.baseAddress,
                        cwd: cwd,
                        stdin_fd: devNull,
                        stdout_fd: stdoutFD,
                        stderr_fd: stderrFD,
                        cpu_mask: maskBytes.isEmpty ? nil : maskBytes.baseAddress,
                        cpu_mask_bytes: maskBytes.count,
                        new_session: newSession ? 1 : 0,
                        pdeath_signal: parentDeathSignal,
                        join_cgroup: cgroupDirFD >= 0 ? 1 : 0,
                        cgroup_dir_fd: cgroupDirFD)
                    return body(&args)
                }
            }
        }
    }

    /// execvp's lookup, done before the child exists so the child never searches.
    static func resolve(_ executable: String, path: String?) throws(LaunchError) -> String {
        if executable.utf8.contains(UInt8(ascii: "/")) { return executable }
        var sawDenied = false
        for directory in (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":", omittingEmptySubsequences: false) {
            let candidate = (directory.isEmpty ? "." : String(directory)) + "/" + executable
            var info = stat()
            guard stat(candidate, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { continue }
            if access(candidate, X_OK) == 0 { return candidate }
            sawDenied = true
        }
        let error = sawDenied ? EACCES : ENOENT
        throw LaunchError(.exec, "\(executable) not found as an executable in PATH", errno: error)
    }

    private func openOutput(_ path: String, _ code: LaunchError.Code) throws(LaunchError) -> Int32 {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw LaunchError(code, "cannot open \(path)", errno: errno) }
        ownedFDs.append(fd)
        return fd
    }

    private func copy(_ string: String) -> UnsafeMutablePointer<CChar> {
        // strdup only fails when malloc does, which Swift treats as fatal too.
        let pointer = strdup(string)!
        cStrings.append(pointer)
        return pointer
    }

    private func release() {
        for pointer in cStrings { free(pointer) }
        cStrings.removeAll()
        for fd in ownedFDs { close(fd) }
        ownedFDs.removeAll()
    }
}
