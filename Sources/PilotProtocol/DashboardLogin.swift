/// What `POST /v1/dashboard/login` answers: a one-time code for `GET /login?code=`. The client
/// builds the URL from its own view of the manager's address.
public struct DashboardLogin: Codable, Sendable {
    public var code: String
    public init(code: String) { self.code = code }
}
