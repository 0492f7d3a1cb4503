import Testing
@testable import PilotManager

/// The dashboard's login: a code opens one session, once, within its lifetime; the session reads
/// until it expires; the cookie is found among others.
@Suite struct DashboardSessionsTests {
    @Test func aCodeOpensOneSessionOnceAndOnlyWhileFresh() {
        let s = DashboardSessions()
        let code = s.issueCode(now: 1_000)
        #expect(s.redeem("not-a-code", now: 1_001) == nil)
        let session = s.redeem(code, now: 1_000 + DashboardSessions.codeLifetime - 1)
        #expect(session != nil)
        #expect(s.redeem(code, now: 1_002) == nil, "a used code opens nothing")
        let late = s.issueCode(now: 2_000)
        #expect(s.redeem(late, now: 2_000 + DashboardSessions.codeLifetime + 1) == nil, "an expired code opens nothing")
        let id = session ?? ""
        #expect(s.isValid(id, now: 1_500))
        #expect(!s.isValid(id, now: 1_000 + DashboardSessions.codeLifetime + DashboardSessions.sessionLifetime))
        #expect(!s.isValid("forged", now: 1_500))
    }

    @Test func theSessionCookieIsFoundAmongOthers() {
        #expect(DashboardSessions.session(fromCookieHeader: "a=1; pilot_session=abc; b=2") == "abc")
        #expect(DashboardSessions.session(fromCookieHeader: "pilot_sessionx=abc") == nil)
        #expect(DashboardSessions.session(fromCookieHeader: nil) == nil)
    }
}
