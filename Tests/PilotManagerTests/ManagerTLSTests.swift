import Foundation
import NIOSSL
import PilotProtocol
import SwiftASN1
import Testing
import X509
@testable import PilotManager

/// The manager's TLS identity and token rotation, without a network: the certificate is made once
/// and reused, carries the names asked for, and its fingerprint is what `TLSPin` computes; the
/// rotation's grace applies to agents only.
@Suite struct ManagerTLSTests {
    static func tempDir() -> String {
        let d = NSTemporaryDirectory() + "pilot-tls-\(UUID().uuidString.prefix(8))"
        try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }

    @Test func theIdentityIsMadeOnceKeptPrivateAndReused() throws {
        let dir = Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let first = try ManagerTLS.loadOrCreate(in: dir, hosts: ["login1.example.org", "10.1.2.3"])
        for f in [ManagerTLS.keyPath(in: dir), ManagerTLS.certificatePath(in: dir)] {
            let mode = try #require(try FileManager.default.attributesOfItem(atPath: f)[.posixPermissions] as? Int)
            #expect(mode == 0o600, "\(f)")
        }
        let again = try ManagerTLS.loadOrCreate(in: dir, hosts: ["another-host"])
        #expect(again.fingerprint == first.fingerprint, "a restart presents the same certificate")
        let cert = try NIOSSLCertificate(bytes: Array(first.certificatePEM.utf8), format: .pem)
        #expect(TLSPin(der: try cert.toDERBytes()) == first.fingerprint)
        #expect(first.fingerprint.description.hasPrefix("sha256:") && first.fingerprint.description.count == 71)
        #expect(TLSPin(first.fingerprint.description) == first.fingerprint)
        #expect(first.fingerprint.matches(cert))
        // The names asked for, plus the loopback ones.
        let x509 = try Certificate(pemEncoded: first.certificatePEM)
        let san = try #require(try x509.extensions.subjectAlternativeNames)
        #expect(san.contains(.dnsName("login1.example.org")) && san.contains(.dnsName("localhost")), "\(san)")
        #expect(san.contains(.ipAddress(ASN1OctetString(contentBytes: [10, 1, 2, 3]))), "\(san)")
        #expect(san.contains(.ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1]))), "\(san)")
        _ = try first.serverConfiguration()
        #expect(try first.spkiSHA256Base64().count == 44)
    }

    @Test func aHalfPresentOrOpenKeyIsRefusedNotReplaced() throws {
        let dir = Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try ManagerTLS.loadOrCreate(in: dir, hosts: [])
        chmod(ManagerTLS.keyPath(in: dir), 0o644)
        #expect(throws: ManagerStartError.self) { try ManagerTLS.loadOrCreate(in: dir, hosts: []) }
        unlink(ManagerTLS.keyPath(in: dir))
        #expect(throws: ManagerStartError.self) { try ManagerTLS.loadOrCreate(in: dir, hosts: []) }
        #expect(FileManager.default.fileExists(atPath: ManagerTLS.certificatePath(in: dir)))
    }

    @Test func pinsParseAndCompare() {
        let hex = String(repeating: "0a", count: 32)
        #expect(TLSPin("sha256:" + hex)?.sha256 == Array(repeating: 10, count: 32))
        #expect(TLSPin("SHA256:" + hex.uppercased()) != nil)
        #expect(TLSPin(stride(from: 0, to: 64, by: 2).map { _ in "0A" }.joined(separator: ":")) != nil)
        #expect(TLSPin("sha256:" + hex.dropLast(2)) == nil)
        #expect(TLSPin("sha256:" + String(repeating: "zz", count: 32)) == nil)
        #expect(TLSPin("md5:00") == nil)
    }

    @Test func rotationGraceAppliesToAgentsOnly() {
        let t = AccessTokens("old")
        #expect(t.acceptsAPI("old") && t.acceptsAgent("old", now: 0))
        t.rotate(to: "new", grace: 600, now: 1_000)
        #expect(t.current == "new")
        #expect(!t.acceptsAPI("old") && t.acceptsAPI("new"))
        #expect(t.acceptsAgent("old", now: 1_599) && t.acceptsAgent("new", now: 1_599))
        #expect(!t.acceptsAgent("old", now: 1_600))
        t.rotate(to: "newer", grace: 0, now: 2_000)
        #expect(!t.acceptsAgent("new", now: 2_000) && t.acceptsAgent("newer", now: 2_000))
        #expect(!t.acceptsAgent("", now: 2_000))
    }

    @Test func loopbackIsRecognised() {
        for h in ["127.0.0.1", "127.1.2.3", "localhost", "::1"] { #expect(ManagerRuntime.isLoopback(h), "\(h)") }
        for h in ["0.0.0.0", "::", "10.0.0.1", "login1", "127.0.0", "128.0.0.1"] { #expect(!ManagerRuntime.isLoopback(h), "\(h)") }
    }
}
