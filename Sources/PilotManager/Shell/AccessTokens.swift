import Foundation
import NIOConcurrencyHelpers
import PilotProtocol
import PilotStore

/// The manager's bearer token, which `pilot manager rotate-token` replaces while the manager runs.
///
/// The API takes only the current token from the moment of rotation. The agent channel checks the
/// token once per connection, at its hello, so agents already connected stay connected whatever
/// happens to the token. An agent that reconnects later re-reads its token source (`access.json` in
/// its server directory, or its `--token-file`) and so picks up the new token; for agents that cannot
/// (a token file that is a copy), the previous token is still accepted on the agent channel for a
/// grace period chosen at rotation (default 10 minutes; 0 when the old token leaked).
public final class AccessTokens: Sendable {
    struct State {
        var current: String
        var previous: String?
        var previousUntil: Double = 0
    }
    private let state: NIOLockedValueBox<State>

    public init(_ token: String) { state = NIOLockedValueBox(State(current: token)) }

    public var current: String { state.withLockedValue { $0.current } }

    /// The API: the current token only.
    func acceptsAPI(_ given: String) -> Bool { constantTimeEqual(given, current) }

    /// An agent's hello: the current token, or the previous one within its grace period.
    func acceptsAgent(_ given: String, now: Double = Date().timeIntervalSince1970) -> Bool {
        let s = state.withLockedValue { $0 }
        if constantTimeEqual(given, s.current) { return true }
        guard let p = s.previous, now < s.previousUntil else { return false }
        return constantTimeEqual(given, p)
    }

    /// Replaces the token; the old one stays good for agents for `grace` seconds.
    func rotate(to token: String, grace: Double, now: Double = Date().timeIntervalSince1970) {
        state.withLockedValue { s in
            s.previous = grace > 0 ? s.current : nil
            s.previousUntil = now + max(0, grace)
            s.current = token
        }
    }
}

/// Rotation as the manager runs it: the new token goes to the store through the reactor, in the
/// same transaction as its `token_rotated` journal record; then to `access.json` (atomically); then
/// in force. The access file is rewritten before the old token stops working, so a client that is
/// refused and re-reads the file finds the new one. A crash anywhere in between is safe: a
/// restarting manager writes `access.json` from the token in the store.
final class TokenRotation: Sendable {
    let tokens: AccessTokens
    let serverDir: String
    /// What this manager last wrote to `access.json`; nil until it listens.
    let access = NIOLockedValueBox<AccessFile?>(nil)
    /// One rotation at a time; an async lock, since a rotation waits for the reactor's commit.
    private let busy = NIOLockedValueBox(false)

    init(tokens: AccessTokens, serverDir: String) {
        self.tokens = tokens
        self.serverDir = serverDir
    }

    /// `store` keeps a token durably and journals it (through the reactor); `blocking` runs file
    /// I/O off the event loops.
    func rotate(grace: Double, store: (String, String?) async throws -> Void,
                blocking: (@escaping @Sendable () throws -> Void) async throws -> Void) async throws -> (access: AccessFile, graceUntil: Double?) {
        guard busy.withLockedValue({ b in defer { b = true }; return !b }) else {
            throw ManagerError(.unavailable, "a token rotation is already under way; try again")
        }
        defer { busy.withLockedValue { $0 = false } }
        guard var a = access.withLockedValue({ $0 }) else {
            throw ManagerError(.unavailable, "the manager is not listening yet; try again")
        }
        let previous = tokens.current
        let token = AccessFile.randomToken()
        try await store(token, nil)
        a.token = token
        let file = a, dir = serverDir
        do {
            try await blocking { try file.write(to: dir) }
        } catch {
            // The store has the new token but nothing else does: put the old one back so a restart
            // does not lock out the agents and clients that hold it.
            try? await store(previous, "undone: cannot write the access file")
            throw ManagerError(.internal, "cannot write the access file: \(error)")
        }
        access.withLockedValue { $0 = a }
        let now = Date().timeIntervalSince1970
        tokens.rotate(to: token, grace: grace, now: now)
        return (a, grace > 0 ? now + grace : nil)
    }
}
