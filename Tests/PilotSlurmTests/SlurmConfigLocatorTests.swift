import Foundation
import Testing
@testable import PilotSlurm

/// The configuration search, with the file system and the config-server probe stubbed.
@Suite struct SlurmConfigLocatorTests {
    func locator(readable: Set<String>, environment: [String: String] = [:],
                 probe: String? = "Could not establish a configuration source") -> SlurmConfigLocator {
        SlurmConfigLocator(environment: environment, isReadable: { readable.contains($0) },
                           probeConfigServer: { _ in probe })
    }

    @Test func followsLibslurmsOrder() throws {
        let all: Set = ["/c/slurm.conf", "/etc/slurm/slurm.conf", "/run/slurm/conf/slurm.conf"]
        #expect(try locator(readable: all, environment: ["SLURM_CONF": "/c/slurm.conf"]).locate()
            == .file(path: "/c/slurm.conf", origin: .environment))
        #expect(try locator(readable: all).locate() == .file(path: "/etc/slurm/slurm.conf", origin: .defaultPath))
        #expect(try locator(readable: ["/run/slurm/conf/slurm.conf"]).locate()
            == .file(path: "/run/slurm/conf/slurm.conf", origin: .slurmdCache))
        let spool = "/tmp/sp/n1/conf-cache/slurm.conf"
        let cached = try locator(readable: [spool], environment: ["SWIFTPILOT_SLURMD_SPOOL_DIRS": "/x:/tmp/sp/n1"]).locate()
        #expect(cached == .file(path: spool, origin: .slurmdCache))
        // A node-local cache is not handed to jobs on other nodes.
        #expect(cached.pathForJobs == nil)
        #expect(SlurmConfigSource.file(path: "/c", origin: .environment).pathForJobs == "/c")
    }

    @Test func fallsBackToTheConfigServerOnlyWhenTheProbeSucceeds() throws {
        let source = try locator(readable: [], environment: ["SLURM_CONF_SERVER": "ctl:6817"], probe: nil).locate()
        #expect(source == .configServer("ctl:6817"))
        #expect(source.path == nil)
        #expect(try locator(readable: [], probe: nil).locate() == .configServer(nil))
    }

    @Test func namesEverythingTriedWhenNothingWorks() {
        #expect {
            try locator(readable: [], environment: ["SLURM_CONF": "/gone.conf"]).locate()
        } throws: { error in
            guard let e = error as? SlurmError, e.code == .configurationMissing else { return false }
            return ["/gone.conf (SLURM_CONF)", "/etc/slurm/slurm.conf", "/run/slurm/conf/slurm.conf",
                    "/var/spool/slurmd/conf-cache/slurm.conf", "DNS SRV _slurmctld._tcp: Could not establish"]
                .allSatisfy { e.message.contains($0) }
        }
    }

    @Test func theProbeSeesNoSlurmConf() throws {
        let seen = LockedBox<[String: String]>([:])
        let locator = SlurmConfigLocator(environment: ["SLURM_CONF": "/gone", "PATH": "/bin"], isReadable: { _ in false },
                                         probeConfigServer: { env in seen.set(env); return nil })
        _ = try locator.locate()
        #expect(seen.get()["SLURM_CONF"] == nil)
        #expect(seen.get()["PATH"] == "/bin")
    }
}

final class LockedBox<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: T
    init(_ value: T) { self.value = value }
    func set(_ v: T) { lock.lock(); value = v; lock.unlock() }
    func get() -> T { lock.lock(); defer { lock.unlock() }; return value }
}
