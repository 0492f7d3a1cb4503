import Foundation
import Hummingbird
import NIOCore
import PilotProtocol

extension APIServer {
    /// The dashboard: `POST /v1/dashboard/login` (bearer) issues a one-time code, `GET /login?code=`
    /// trades it for a session cookie and sends the browser to `/`, which serves the page. The page
    /// reads `/v1/*` with that cookie and follows `/v1/events` live. `GET /v1/occupancy` is the slot
    /// map it draws.
    func addDashboardRoutes(to r: Router<BasicRequestContext>) {
        r.post("/v1/dashboard/login") { _, _ in
            await self.respond { DashboardLogin(code: self.sessions.issueCode()) }
        }
        r.get("/login") { req, _ in
            guard let code = req.uri.queryParameters.get("code"), let session = self.sessions.redeem(code) else {
                return Self.html(status: .unauthorized, DashboardPage.refused(
                    "This login code is unknown, used or expired. Run <code>pilot dashboard</code> for a new URL."))
            }
            var headers = HTTPFields()
            headers[.location] = "/"
            headers[.setCookie] = "\(DashboardSessions.cookieName)=\(session); Path=/; HttpOnly; SameSite=Strict; Max-Age=\(Int(DashboardSessions.sessionLifetime))"
            headers[.cacheControl] = "no-store"
            return Response(status: .seeOther, headers: headers)
        }
        r.get("/") { _, _ in Self.html(status: .ok, DashboardPage.html) }
        r.get("/v1/occupancy") { _, _ in await self.respond { await self.shell.read { $0.occupancy() } } }
    }

    static func html(status: HTTPResponse.Status, _ text: String) -> Response {
        Response(status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                 body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
