import Crypto
import Foundation
import NIOSSL
import PilotProtocol
import SwiftASN1
import X509

/// The manager's TLS identity: a P-256 key and a self-signed certificate, made at the first start
/// and kept in the server directory (`tls.key`, `tls.crt`, both mode 0600) so that a restarted
/// manager presents the same certificate and the agents that pinned it reconnect.
///
/// Clients and agents pin the certificate's SHA-256 (`tls_fingerprint` in `access.json`) rather
/// than trusting a certificate authority; the names in it (this host, `localhost`, the listen
/// address) only matter to tools that check names, such as Prometheus given the certificate as its CA.
public struct ManagerTLS: Sendable {
    public let certificatePEM: String
    public let keyPEM: String
    public let fingerprint: TLSPin

    public static func certificatePath(in dir: String) -> String { dir + "/tls.crt" }
    public static func keyPath(in dir: String) -> String { dir + "/tls.key" }

    /// Loads the identity in `dir`, or makes one there when there is none. A half-present or
    /// unreadable pair is an error, never silently replaced: replacing it would lock out every
    /// agent that pinned the old certificate.
    public static func loadOrCreate(in dir: String, hosts: [String]) throws -> ManagerTLS {
        let certPath = certificatePath(in: dir), keyPath = keyPath(in: dir)
        let fm = FileManager.default
        switch (fm.fileExists(atPath: certPath), fm.fileExists(atPath: keyPath)) {
        case (true, true):
            return try load(certPath: certPath, keyPath: keyPath)
        case (false, false):
            let made = try generate(hosts: hosts)
            // The key first: a certificate without its key is the broken state, not the other way round.
            try writePrivate(made.keyPEM, to: keyPath, in: dir)
            try writePrivate(made.certificatePEM, to: certPath, in: dir)
            return made
        case (true, false):
            throw ManagerStartError("\(certPath) exists but \(keyPath) does not; restore the key, or remove both to make a new certificate (agents and clients then need the new access.json)")
        case (false, true):
            throw ManagerStartError("\(keyPath) exists but \(certPath) does not; restore the certificate, or remove both to make a new one (agents and clients then need the new access.json)")
        }
    }

    static func load(certPath: String, keyPath: String) throws -> ManagerTLS {
        var st = stat()
        guard stat(keyPath, &st) == 0 else { throw ManagerStartError("cannot read \(keyPath)") }
        guard st.st_mode & 0o077 == 0 else {
            throw ManagerStartError("\(keyPath) has mode \(String(st.st_mode & 0o777, radix: 8)); the manager's private key must be readable only by its owner (chmod 600)")
        }
        guard let cert = fm(certPath), let key = fm(keyPath) else { throw ManagerStartError("cannot read \(certPath) or \(keyPath)") }
        do {
            let c = try NIOSSLCertificate(bytes: Array(cert.utf8), format: .pem)
            _ = try NIOSSLPrivateKey(bytes: Array(key.utf8), format: .pem)
            return ManagerTLS(certificatePEM: cert, keyPEM: key, fingerprint: try TLSPin(certificate: c))
        } catch {
            throw ManagerStartError("the manager's certificate or key in \(certPath), \(keyPath) cannot be read", cause: error)
        }
    }

    private static func fm(_ path: String) -> String? {
        FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
    }

    /// A new key and a certificate for it, valid ten years, naming `hosts` (names and addresses) plus
    /// `localhost`, 127.0.0.1 and ::1.
    public static func generate(hosts: [String]) throws -> ManagerTLS {
        let cryptoKey = P256.Signing.PrivateKey()
        let key = Certificate.PrivateKey(cryptoKey)
        var names: [GeneralName] = []
        var seen = Set<String>()
        for h in hosts + ["localhost", "127.0.0.1", "::1"] where !h.isEmpty && h != "0.0.0.0" && h != "::" {
            guard seen.insert(h.lowercased()).inserted else { continue }
            if let ip = ipAddressBytes(h) { names.append(.ipAddress(ASN1OctetString(contentBytes: ip[...]))) } else { names.append(.dnsName(h)) }
        }
        let subject = try DistinguishedName {
            OrganizationName("SwiftPilot")
            CommonName("SwiftPilot manager \(hosts.first { ipAddressBytes($0) == nil && $0 != "localhost" } ?? "localhost")")
        }
        let extensions = try Certificate.Extensions {
            Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
            Critical(KeyUsage(digitalSignature: true, keyCertSign: true))
            try ExtendedKeyUsage([.serverAuth])
            SubjectAlternativeNames(names)
        }
        let now = Date()
        let cert = try Certificate(version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: key.publicKey,
                                   notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(10 * 365 * 86_400),
                                   issuer: subject, subject: subject, signatureAlgorithm: .ecdsaWithSHA256,
                                   extensions: extensions, issuerPrivateKey: key)
        var serializer = DER.Serializer()
        try serializer.serialize(cert)
        let der = serializer.serializedBytes
        let pem = try cert.serializeAsPEM().pemString + "\n"
        return ManagerTLS(certificatePEM: pem, keyPEM: cryptoKey.pemRepresentation + "\n", fingerprint: TLSPin(der: der))
    }

    /// What the HTTP server and the agent channel present.
    public func serverConfiguration() throws -> TLSConfiguration {
        let cert = try NIOSSLCertificate(bytes: Array(certificatePEM.utf8), format: .pem)
        let key = try NIOSSLPrivateKey(bytes: Array(keyPEM.utf8), format: .pem)
        var c = TLSConfiguration.makeServerConfiguration(certificateChain: [.certificate(cert)], privateKey: .privateKey(key))
        c.minimumTLSVersion = .tlsv12
        return c
    }

    /// The SHA-256 of the certificate's public key (SubjectPublicKeyInfo), base64: what Chromium's
    /// `--ignore-certificate-errors-spki-list` and curl's `--pinnedpubkey sha256//` take.
    public func spkiSHA256Base64() throws -> String { try TLSPin.spkiSHA256Base64(certificatePEM: certificatePEM) }

    static func ipAddressBytes(_ s: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, s, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, s, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }

    /// Exclusive create with mode 0600, synced: the key never exists readable by others, even briefly.
    static func writePrivate(_ text: String, to path: String, in dir: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw ManagerStartError("cannot create \(path): \(String(cString: strerror(errno)))") }
        let data = Array(text.utf8)
        var written = 0
        while written < data.count {
            let n = data.withUnsafeBytes { Foundation.write(fd, $0.baseAddress! + written, $0.count - written) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                let e = n < 0 ? errno : ENOSPC
                close(fd); unlink(path)
                throw ManagerStartError("cannot write \(path): \(String(cString: strerror(e)))")
            }
            written += n
        }
        guard fsync(fd) == 0 else { let e = errno; close(fd); unlink(path); throw ManagerStartError("cannot write \(path): \(String(cString: strerror(e)))") }
        close(fd)
        let dirFD = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirFD >= 0 { fsync(dirFD); close(dirFD) }
    }
}
