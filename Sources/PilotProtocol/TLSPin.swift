import Crypto
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOSSL

/// The manager's certificate as clients and agents pin it: the SHA-256 of its DER encoding, written
/// `sha256:HEX` in `access.json` (`tls_fingerprint`). The manager's certificate is self-signed, so no
/// certificate authority vouches for it: a peer is trusted when, and only when, the certificate it
/// presents hashes to the pinned value. Host names are not checked; the pin is stronger than a name.
public struct TLSPin: Sendable, Equatable, CustomStringConvertible {
    /// 32 bytes.
    public let sha256: [UInt8]

    /// Accepts `sha256:HEX` (64 hex digits, either case, colons between bytes allowed) or bare HEX.
    public init?(_ text: String) {
        var s = Substring(text.trimmingCharacters(in: .whitespaces))
        if s.lowercased().hasPrefix("sha256:") { s = s.dropFirst(7) }
        let hex = s.filter { $0 != ":" }
        guard hex.count == 64 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        var i = hex.startIndex
        while i < hex.endIndex {
            let j = hex.index(i, offsetBy: 2)
            guard let b = UInt8(hex[i..<j], radix: 16) else { return nil }
            bytes.append(b)
            i = j
        }
        sha256 = bytes
    }

    public init(der: [UInt8]) { sha256 = Array(SHA256.hash(data: der)) }

    public init(certificate: NIOSSLCertificate) throws { self.init(der: try certificate.toDERBytes()) }

    /// `sha256:` and 64 lower-case hex digits.
    public var description: String { "sha256:" + sha256.map { String(format: "%02x", $0) }.joined() }

    /// The SHA-256 of a PEM certificate's public key (SubjectPublicKeyInfo), base64: the form of pin
    /// Chromium's `--ignore-certificate-errors-spki-list` and curl's `--pinnedpubkey sha256//` take.
    public static func spkiSHA256Base64(certificatePEM: String) throws -> String {
        let cert = try NIOSSLCertificate(bytes: Array(certificatePEM.utf8), format: .pem)
        return Data(SHA256.hash(data: try cert.extractPublicKey().toSPKIBytes())).base64EncodedString()
    }

    /// Whether `certificate` is the pinned one.
    public func matches(_ certificate: NIOSSLCertificate) -> Bool {
        guard let der = try? certificate.toDERBytes() else { return false }
        return constantTimeEqualBytes(Array(SHA256.hash(data: der)), sha256)
    }

    /// One client context for the whole process: the pin is checked per connection, not per context.
    public static let sharedClientContext: Result<NIOSSLContext, any Error> = Result { try clientContext() }

    /// A client TLS context that takes the pinned certificate and no other (`clientHandler` checks it).
    /// No system trust store is loaded: nothing but the pin could make a certificate acceptable.
    public static func clientContext() throws -> NIOSSLContext {
        var c = TLSConfiguration.makeClientConfiguration()
        c.minimumTLSVersion = .tlsv12
        c.trustRoots = .certificates([])
        // Not `.none`: with `.none` NIOSSL would skip the custom callback, and the pin with it.
        c.certificateVerification = .noHostnameVerification
        return try NIOSSLContext(configuration: c)
    }

    /// The client side of a connection to the manager: TLS whose only accepted certificate is the
    /// pinned one. A mismatch is remembered in `mismatch` so the caller can name it; the handshake
    /// itself fails with a bare verification error.
    public func clientHandler(context: NIOSSLContext, mismatch: PinMismatch) throws -> NIOSSLClientHandler {
        let pin = self
        return try NIOSSLClientHandler(context: context, serverHostname: nil) { certificates, promise in
            guard let leaf = certificates.first else {
                mismatch.record(presented: nil, expected: pin)
                promise.succeed(.failed)
                return
            }
            if pin.matches(leaf) {
                promise.succeed(.certificateVerified)
            } else {
                mismatch.record(presented: try? TLSPin(certificate: leaf), expected: pin)
                promise.succeed(.failed)
            }
        }
    }
}

/// What a refused handshake saw: the fingerprint the peer presented instead of the pinned one.
public final class PinMismatch: Sendable {
    private let seen = NIOLockedValueBox<(presented: TLSPin?, expected: TLSPin)?>(nil)
    public init() {}

    func record(presented: TLSPin?, expected: TLSPin) { seen.withLockedValue { $0 = (presented, expected) } }

    /// The error to report for a handshake that failed because of the pin; nil if it failed for another reason.
    public func error(peer: String) -> TLSPinError? {
        seen.withLockedValue { $0 }.map { TLSPinError(peer: peer, presented: $0.presented, expected: $0.expected) }
    }
}

/// A server whose certificate is not the pinned one: refused before anything (the token above all) is sent.
public struct TLSPinError: Error, CustomStringConvertible, Sendable {
    public var peer: String
    public var presented: TLSPin?
    public var expected: TLSPin
    public var description: String {
        "refused the TLS connection to \(peer): its certificate \(presented.map { "(\($0))" } ?? "(none)") "
            + "does not match the pinned fingerprint \(expected) (tls_fingerprint in access.json or --tls-fingerprint); "
            + "no token was sent"
    }
}

func constantTimeEqualBytes(_ x: [UInt8], _ y: [UInt8]) -> Bool {
    var diff = UInt8(x.count == y.count ? 0 : 1)
    for i in 0..<max(x.count, y.count) { diff |= (i < x.count ? x[i] : 0) ^ (i < y.count ? y[i] : 0) }
    return diff == 0
}
