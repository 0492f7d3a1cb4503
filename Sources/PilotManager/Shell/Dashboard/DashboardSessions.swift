import Foundation
import NIOConcurrencyHelpers
import PilotProtocol

/// One-time login codes and the browser sessions they open, in memory (a restarted manager asks
/// for a new `pilot dashboard` URL).
///
/// Why a code and a cookie rather than the bearer token in the URL: the URL is printed on a terminal
/// and lands in browser history, so it must be worth nothing once used and soon worthless anyway;
/// and `EventSource` cannot set an `Authorization` header, while a same-origin cookie goes with
/// every `fetch` and the event stream. The cookie is `HttpOnly` (no script can read it) and
/// `SameSite=Strict` (no other site's page can make the browser send it), and it only ever
/// authorises reads (GET): everything that changes state still needs the bearer token.
final class DashboardSessions: Sendable {
    static let cookieName = "pilot_session"
    static let codeLifetime: Double = 120
    static let sessionLifetime: Double = 12 * 3600

    private struct State {
        var codes: [String: Double] = [:]
        var sessions: [String: Double] = [:]
    }
    private let state = NIOLockedValueBox(State())

    /// A code that opens one session if redeemed within `codeLifetime`.
    func issueCode(now: Double = Date().timeIntervalSince1970) -> String {
        let code = AccessFile.randomToken()
        state.withLockedValue { s in
            s.codes = s.codes.filter { $0.value > now }
            s.codes[code] = now + Self.codeLifetime
        }
        return code
    }

    /// The new session's id, or nil when the code is unknown, used or expired.
    func redeem(_ code: String, now: Double = Date().timeIntervalSince1970) -> String? {
        state.withLockedValue { s in
            guard let until = s.codes.removeValue(forKey: code), until > now else { return nil }
            let id = AccessFile.randomToken()
            s.sessions = s.sessions.filter { $0.value > now }
            s.sessions[id] = now + Self.sessionLifetime
            return id
        }
    }

    func isValid(_ session: String, now: Double = Date().timeIntervalSince1970) -> Bool {
        state.withLockedValue { s in (s.sessions[session] ?? 0) > now }
    }

    /// The session id in a `Cookie` header, if any.
    static func session(fromCookieHeader header: String?) -> String? {
        guard let header else { return nil }
        for part in header.split(separator: ";") {
            let kv = part.trimmingCharacters(in: .whitespaces)
            if kv.hasPrefix(cookieName + "=") { return String(kv.dropFirst(cookieName.count + 1)) }
        }
        return nil
    }
}
