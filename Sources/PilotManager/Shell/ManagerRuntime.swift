import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOPosix
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

    public static func start(_ config: ManagerConfig, logger: Logger) async throws -> ManagerRuntime {
        let dir = config.serverDir
        try FileManager.default.createDirectory(atPath: dir + "/logs", withIntermediateDirectories: true)
        chmod(dir, 0o700)
        let previous = try? AccessFile.read(from: dir)
        // The token survives restarts so running agents can reattach.
        let token = previous?.token ?? AccessFile.randomToken()
        let store = try PilotStore(directory: dir)
        let shell = try ManagerShell(config: config, store: store, logger: logger)
        shell.start()
        let group = MultiThreadedEventLoopGroup.singleton
        var agentChannel: (any Channel)?
        if config.agentPort == 0, let p = previous?.agentPort, p > 0 {
            agentChannel = try? await shell.channel.bind(host: config.host, port: p, group: group, token: token, inbox: shell.inbox)
        }
        if agentChannel == nil {
            agentChannel = try await shell.channel.bind(host: config.host, port: config.agentPort, group: group, token: token, inbox: shell.inbox)
        }
        let agentPort = agentChannel!.localAddress?.port ?? config.agentPort
        let (ready, readyCont) = AsyncStream<AccessFile>.makeStream()
        let api = APIServer(shell: shell, token: token, log: logger)
        var httpPort = config.port
        if httpPort == 0, let p = previous?.port, p > 0, Self.portIsFree(host: config.host, port: p) { httpPort = p }
        let requestedPort = httpPort
        let app = Application(
            router: api.router(),
            configuration: .init(address: .hostname(config.host, port: requestedPort), serverName: "swiftpilot"),
            onServerRunning: { channel in
                let access = AccessFile(host: config.host, port: channel.localAddress?.port ?? requestedPort, agentPort: agentPort,
                                        token: token, pid: getpid())
                do { try access.write(to: dir) } catch { logger.error("cannot write access file: \(error)") }
                logger.info("manager listening: api \(config.host):\(access.port), agents \(config.host):\(agentPort), server dir \(dir)")
                readyCont.yield(access)
                readyCont.finish()
            },
            logger: logger
        )
        let background = ManagerTimer(shell: shell, agentChannel: agentChannel!, interval: min(config.timerInterval, config.heartbeatInterval / 2))
        return ManagerRuntime(shell: shell, services: [app, background], config: config, agentLoops: group, ready: ready)
    }

    init(shell: ManagerShell, services: [any Service], config: ManagerConfig, agentLoops: any EventLoopGroup, ready: AsyncStream<AccessFile>) {
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
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(Int(interval * 1000)))
                shell.inbox.post(.timer)
            }
        }
        try? await agentChannel.close()
        await shell.stop()
    }
}
