import Foundation
import PilotProtocol

/// Runs the real `pilot` executable built by SwiftPM, as a user would.
enum PilotBinary {
    static let root: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var path: String {
        for dir in [".build/debug", ".build/release", ".build/x86_64-unknown-linux-gnu/debug"] {
            let p = root.appendingPathComponent(dir).appendingPathComponent("pilot").path
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return root.appendingPathComponent(".build/debug/pilot").path
    }

    /// Runs to completion; returns exit status and both outputs.
    @discardableResult
    static func run(_ args: [String], env: [String: String] = [:]) throws -> (status: Int32, out: String, err: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = args
        p.currentDirectoryURL = root
        p.environment = ProcessInfo.processInfo.environment.merging(env) { $1 }
        let o = Pipe(), e = Pipe()
        p.standardOutput = o
        p.standardError = e
        try p.run()
        let out = o.fileHandleForReading.readDataToEndOfFile()
        let err = e.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
    }

    /// Starts a long-running subcommand (manager, agent) with its output in a log file.
    static func start(_ args: [String], log: String) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = args
        p.currentDirectoryURL = root
        FileManager.default.createFile(atPath: log, contents: nil)
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        p.standardOutput = h
        p.standardError = h
        try p.run()
        return p
    }

    static func tempDir(_ tag: String) -> String {
        let d = NSTemporaryDirectory() + "pilot-e2e-\(tag)-\(UUID().uuidString.prefix(8))"
        try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }
}

/// A manager process on port 0 in a fresh server directory, plus agents; stopped on `shutdown()`.
final class LiveCluster: @unchecked Sendable {
    let dir: String
    var manager: Process?
    var agents: [Process] = []
    var client: PilotClient!

    init(tag: String) { dir = PilotBinary.tempDir(tag) }
    init(dir: String) { self.dir = dir }

    func startManager(extra: [String] = []) async throws {
        try? FileManager.default.removeItem(atPath: dir + "/access.json.ready")
        manager = try PilotBinary.start(["manager", "start", "--server-dir", dir, "--port", "0"] + extra, log: dir + "/manager.log")
        client = try await waitForManager()
    }

    /// Readiness: access.json exists, and the health call answers for the new process.
    func waitForManager(timeout: Double = 60) async throws -> PilotClient {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let a = try? AccessFile.read(from: dir), a.pid == manager?.processIdentifier {
                let c = PilotClient(access: a)
                if (try? await c.health()) == true { return c }
            }
            guard manager?.isRunning ?? false else { throw E2EError("manager exited: \(log("manager"))") }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw E2EError("manager not ready after \(timeout) s: \(log("manager"))")
    }

    func startAgent(_ extra: [String], name: String) throws -> Process {
        let p = try PilotBinary.start(["agent", "--server-dir", dir] + extra, log: dir + "/\(name).log")
        agents.append(p)
        return p
    }

    /// Readiness: the manager lists `n` active agents.
    func waitForAgents(_ n: Int, timeout: Double = 60) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let s = try? await client.summary(), s.agents >= n { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw E2EError("only \((try? await client.summary().agents) ?? 0) of \(n) agents registered")
    }

    func waitAll(timeout: Double = 300) async throws -> WaitResponse {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let w = try await client.wait(timeout: 2)
            if w.finished { return w }
        }
        throw E2EError("tasks not finished after \(timeout) s")
    }

    func log(_ name: String) -> String { (try? String(contentsOfFile: dir + "/\(name).log", encoding: .utf8)) ?? "" }

    func shutdown() {
        for p in agents where p.isRunning { kill(p.processIdentifier, SIGKILL); p.waitUntilExit() }
        if let m = manager, m.isRunning { m.terminate(); m.waitUntilExit() }
        try? FileManager.default.removeItem(atPath: dir)
    }
}

/// Polls `body` every 100 ms until it returns a value, failing with `what` after `timeout` seconds.
func poll<T>(_ what: String, timeout: Double = 90, _ body: () async throws -> T?) async throws -> T {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if let v = try await body() { return v }
        try await Task.sleep(for: .milliseconds(100))
    }
    throw E2EError("timed out waiting for \(what)")
}

struct E2EError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

extension AccessFile {
    /// `https://127.0.0.1:PORT` (http for a manager without TLS), for tools other than PilotClient.
    var baseURL: String { "\(tlsFingerprint == nil ? "http" : "https")://127.0.0.1:\(port)" }

    /// curl's arguments that trust the manager's own certificate and nothing else.
    func curlTLS(serverDir: String) -> [String] {
        tlsFingerprint == nil ? [] : ["--cacert", serverDir + "/tls.crt"]
    }
}
