import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PilotProtocol
import PilotStore
import ServiceLifecycle

/// A manager assembled and listening on its agent port: run `services` in a ServiceGroup.
/// SIGTERM finishes the writes in progress and leaves agents running; they reconnect to the next manager.
public final class ManagerRuntime: Sendable {
    public let shell: ManagerShell
    public let services: [any Service]
    public let config: ManagerConfig
    /// The event loops agent connections are served on; an embedded agent can share one.
    public let agentLoops: any EventLoopGroup
    let readyStream: AsyncStream<AccessFile>
    /// Held for the runtime's life: one manager per server directory.
    let lock: ServerDirectoryLock
    /// The client API's own event loop, apart from the ones agent connections keep busy: a request
    /// then waits for no agent's burst of messages, only for a core. One for the process, like
    /// NIO's singleton, so managers started and stopped in one process (tests) share it.
    static let apiLoop: any EventLoopGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)

    public static func start(_ config: ManagerConfig, logger: Logger) async throws -> ManagerRuntime {
        let dir = config.serverDir
        let useTLS = config.tls && !config.insecure
        if !useTLS {
            if !isLoopback(config.host) && !config.insecure {
                throw ManagerStartError("refusing to listen on \(config.host) without TLS: agents and clients on other hosts would send the token in clear (keep TLS, the default, or add --insecure to accept that)")
            }
            if !isLoopback(config.host) {
                logger.warning("TLS is off (--insecure) on \(config.host), which is not loopback: the token and every task cross the network in clear")
                FileHandle.standardError.write(Data("warning: --insecure on \(config.host): no TLS, the token and every task cross the network in clear\n".utf8))
            }
        }
        try FileManager.default.createDirectory(atPath: dir + "/logs", withIntermediateDirectories: true)
        chmod(dir, 0o700)
        // Before anything in the directory is read or written: a second manager stops here.
        let lock = try ServerDirectoryLock(directory: dir)
        let previous = try? AccessFile.read(from: dir)
        // A full or read-only disk is named as such here, not as the store's I/O error below.
        do { try AccessFile.checkWritable(dir, token: previous?.token ?? AccessFile.randomToken()) } catch {
            throw ManagerStartError("the server directory \(dir) cannot be written, refusing to start", cause: error)
        }
        let store = try PilotStore(directory: dir)
        // The token survives restarts so running agents can reattach: it is kept in the store too,
        // so an access file lost or damaged by an older version does not mint a new one.
        let stored = try store.meta(Self.tokenKey)
        let token = config.rotateToken ? AccessFile.randomToken() : previous?.token ?? stored ?? AccessFile.randomToken()
        do {
            if stored != token { try store.setMeta(Self.tokenKey, token) }
        } catch {
            throw ManagerStartError("the server directory \(dir) cannot be written, refusing to start", cause: error)
        }
        // The metrics token survives restarts like the main one, so a Prometheus configuration keeps working.
        let storedMetrics = try store.meta(Self.metricsTokenKey)
        let metricsToken = config.rotateToken ? AccessFile.randomToken()
            : previous?.metricsToken ?? storedMetrics ?? AccessFile.randomToken()
        do {
            if storedMetrics != metricsToken { try store.setMeta(Self.metricsTokenKey, metricsToken) }
        } catch {
            throw ManagerStartError("the server directory \(dir) cannot be written, refusing to start", cause: error)
        }
        // The same certificate on every start: agents pinned it and reconnect after a restart.
        let identity: ManagerTLS?
        let tlsContext: NIOSSLContext?
        if useTLS {
            do {
                let made = try ManagerTLS.loadOrCreate(in: dir, hosts: certificateHosts(config))
                identity = made
                tlsContext = try NIOSSLContext(configuration: made.serverConfiguration())
            } catch let e as ManagerStartError { throw e } catch {
                throw ManagerStartError("cannot set up TLS in \(dir)", cause: error)
            }
        } else {
            identity = nil
            tlsContext = nil
        }
        let tokens = AccessTokens(token)
        let rotation = TokenRotation(tokens: tokens, serverDir: dir)
        let shell = try ManagerShell(config: config, store: store, logger: logger)
        shell.start()
        let group = MultiThreadedEventLoopGroup.singleton
        var agentChannel: (any Channel)?
        if config.agentPort == 0, let p = previous?.agentPort, p > 0 {
            agentChannel = try? await shell.channel.bind(host: config.host, port: p, group: group, tokens: tokens, tls: tlsContext, inbox: shell.inbox)
        }
        if agentChannel == nil {
            agentChannel = try await shell.channel.bind(host: config.host, port: config.agentPort, group: group, tokens: tokens, tls: tlsContext,
                                                        inbox: shell.inbox)
        }
        let agentPort = agentChannel!.localAddress?.port ?? config.agentPort
        let (ready, readyCont) = AsyncStream<AccessFile>.makeStream()
        let api = APIServer(shell: shell, tokens: tokens, rotation: rotation, metricsToken: config.metrics ? metricsToken : nil, log: logger)
        var httpPort = config.port
        if httpPort == 0, let p = previous?.port, p > 0, Self.portIsFree(host: config.host, port: p) { httpPort = p }
        let requestedPort = httpPort
        // A client that stops sending mid-request (slowloris) is dropped after this much silence.
        let http1 = HTTPServerBuilder.http1(configuration: .init(idleTimeout: .seconds(30)))
        let server = try identity.map { try HTTPServerBuilder.tls(http1, tlsConfiguration: try $0.serverConfiguration()) } ?? http1
        let app = Application(
            router: api.router(),
            server: server,
            configuration: .init(address: .hostname(config.host, port: requestedPort), serverName: "swiftpilot"),
            onServerRunning: { channel in
                let access = AccessFile(host: config.host, port: channel.localAddress?.port ?? requestedPort, agentPort: agentPort,
                                        token: tokens.current, pid: getpid(), metricsToken: config.metrics ? metricsToken : nil,
                                        tlsFingerprint: identity?.fingerprint.description)
                rotation.access.withLockedValue { $0 = access }
                do { try access.write(to: dir) } catch {
                    // Checked at start, so the disk filled since: clients and agents could not find this
                    // manager, and running half-configured is worse than not running.
                    logger.critical("cannot write access file, stopping: \(error)")
                    FileHandle.standardError.write(Data("error: \(error); the manager stops\n".utf8))
                    exit(1)
                }
                logger.info("manager listening: api \(identity == nil ? "http" : "https")://\(config.host):\(access.port), agents \(config.host):\(agentPort)\(identity == nil ? " (no TLS)" : " (TLS)"), server dir \(dir)")
                readyCont.yield(access)
                readyCont.finish()
            },
            eventLoopGroupProvider: .shared(Self.apiLoop),
            logger: logger
        )
        let background = ManagerTimer(shell: shell, agentChannel: agentChannel!, interval: min(config.timerInterval, config.heartbeatInterval / 2))
        return ManagerRuntime(shell: shell, services: [app, background], config: config, agentLoops: group, ready: ready, lock: lock)
    }

    init(shell: ManagerShell, services: [any Service], config: ManagerConfig, agentLoops: any EventLoopGroup, ready: AsyncStream<AccessFile>,
         lock: ServerDirectoryLock) {
        self.lock = lock
        self.shell = shell
        self.services = services
        self.config = config
        self.agentLoops = agentLoops
        readyStream = ready
    }

    /// Resolves once the API listens and `access.json` is written.
    public func ready() async -> AccessFile? {
        for await a in readyStream { return a }
        return nil
    }

    static let tokenKey = ManagerReactor.tokenMetaKey

    /// Loopback addresses and names: the only ones where plain text never leaves the host.
    public static func isLoopback(_ host: String) -> Bool {
        let h = host.lowercased()
        if h == "localhost" || h == "::1" || h == "[::1]" { return true }
        let parts = h.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }

    /// The names the certificate carries: the listen address, the address pilots' agents are given,
    /// and this host's names (`localhost` and the loopback addresses are always added).
    static func certificateHosts(_ config: ManagerConfig) -> [String] {
        var hosts = [config.host]
        if let a = config.pilots.agentHost { hosts.append(a) }
        let name = ProcessInfo.processInfo.hostName
        hosts.append(name)
        if let short = name.split(separator: ".").first { hosts.append(String(short)) }
        return hosts
    }
    static let metricsTokenKey = "metrics_token"

    static func portIsFree(host: String, port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr(host == "localhost" ? "127.0.0.1" : host)
        return withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}

/// The reactor's clock: a timer event every `interval`, and the orderly stop.
struct ManagerTimer: Service {
    let shell: ManagerShell
    let agentChannel: any Channel
    let interval: Double

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var n = 0
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(Int(interval * 1000)))
                shell.inbox.post(.timer)
                n += 1
                if Double(n) * interval >= 2 {
                    n = 0
                    shell.journal.keepalive()
                }
            }
        }
        // Live event streams end, so the HTTP server's graceful stop does not wait for them.
        shell.journal.finishAll()
        try? await agentChannel.close()
        await shell.stop()
    }
}
