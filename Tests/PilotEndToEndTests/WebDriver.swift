import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A real headless Chromium driven through chromedriver's W3C WebDriver protocol: plain JSON over
/// HTTP with URLSession, no Selenium. One browser session per value; `quit()` ends both processes.
final class WebDriver: @unchecked Sendable {
    static let chromium = "/usr/bin/chromium"
    static let chromedriver = "/usr/bin/chromedriver"

    struct Failure: Error, CustomStringConvertible {
        var code: String
        var message: String
        var description: String { "\(code): \(message)" }
    }

    let driver: Process
    let base: URL
    private(set) var session = ""

    /// Whether the browser and its driver are installed (JobScripts/setup.sh installs both).
    static var missing: String? {
        for p in [chromium, chromedriver] where !FileManager.default.isExecutableFile(atPath: p) {
            return "\(p) is not installed: run JobScripts/setup.sh (Debian packages chromium and chromium-driver)"
        }
        return nil
    }

    /// Starts chromedriver on a free port, waits until it reports ready, and opens a headless session.
    /// `browserArgs`: more Chromium flags (the manager's certificate pin, for one).
    init(log: String, windowSize: (Int, Int) = (1400, 1700), browserArgs: [String] = []) async throws {
        let port = try Self.freePort()
        driver = Process()
        driver.executableURL = URL(fileURLWithPath: Self.chromedriver)
        driver.arguments = ["--port=\(port)", "--log-path=\(log)"]
        driver.standardOutput = FileHandle.nullDevice
        driver.standardError = FileHandle.nullDevice
        try driver.run()
        base = URL(string: "http://127.0.0.1:\(port)")!
        let deadline = Date().addingTimeInterval(60)
        var last = "no answer"
        while true {
            do {
                let s = try await call("GET", "/status")
                if ((s["value"] as? [String: Any])?["ready"] as? NSNumber)?.boolValue == true { break }
                last = "\(s)"
            } catch { last = "\(error)" }
            guard driver.isRunning else { throw Failure(code: "driver_exited", message: "chromedriver exited; see \(log)") }
            guard Date() < deadline else {
                stopDriver()
                throw Failure(code: "driver_not_ready", message: "chromedriver not ready after 60 s (\(last)); see \(log)")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        let caps: [String: Any] = ["capabilities": ["alwaysMatch": [
            "browserName": "chrome",
            "goog:chromeOptions": ["binary": Self.chromium,
                                   "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                                            "--window-size=\(windowSize.0),\(windowSize.1)"] + browserArgs],
        ]]]
        let r = try await call("POST", "/session", caps)
        guard let v = r["value"] as? [String: Any], let id = v["sessionId"] as? String else {
            stopDriver()
            throw Failure(code: "no_session", message: "chromedriver opened no session: \(r)")
        }
        session = id
    }

    func navigate(_ url: String) async throws { _ = try await call("POST", "/session/\(session)/url", ["url": url]) }

    func currentURL() async throws -> String { try await call("GET", "/session/\(session)/url")["value"] as? String ?? "" }

    /// Runs `script` in the page (a function body; `return` gives the value).
    func execute(_ script: String, _ args: [Any] = []) async throws -> Any? {
        try await call("POST", "/session/\(session)/execute/sync", ["script": script, "args": args])["value"]
    }

    func screenshotPNG() async throws -> Data {
        guard let b64 = try await call("GET", "/session/\(session)/screenshot")["value"] as? String, let d = Data(base64Encoded: b64) else {
            throw Failure(code: "no_screenshot", message: "the screenshot answer held no PNG")
        }
        return d
    }

    /// Ends the browser session (chromedriver closes the browser), then chromedriver itself, which
    /// ignores SIGTERM: SIGKILL. Called on every way out of a test.
    func quit() async {
        if !session.isEmpty { _ = try? await call("DELETE", "/session/\(session)") }
        session = ""
        stopDriver()
    }

    private func stopDriver() {
        if driver.isRunning { kill(driver.processIdentifier, SIGKILL) }
    }

    /// One WebDriver command through curl: FoundationNetworking's URLSession on Linux fails on
    /// chromedriver's answers ("Failed writing header"), curl reads them fine.
    private func call(_ method: String, _ path: String, _ body: [String: Any]? = nil) async throws -> [String: Any] {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        var args = ["-s", "-m", "120", "-X", method, "-w", "\n%{http_code}", base.absoluteString + path]
        let input = Pipe()
        if body != nil { args += ["-H", "Content-Type: application/json", "--data-binary", "@-"] }
        p.arguments = args
        p.standardInput = input
        let o = Pipe()
        p.standardOutput = o
        try p.run()
        if let body { input.fileHandleForWriting.write(try JSONSerialization.data(withJSONObject: body)) }
        try input.fileHandleForWriting.close()
        let data = o.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard p.terminationStatus == 0, let nl = text.lastIndex(of: "\n"), let code = Int(text[text.index(after: nl)...]) else {
            throw Failure(code: "curl", message: "curl \(method) \(path) exited \(p.terminationStatus): \(text.prefix(300))")
        }
        let json = Data(text[..<nl].utf8)
        let obj = (try? JSONSerialization.jsonObject(with: json)) as? [String: Any] ?? [:]
        if code >= 400 {
            let v = obj["value"] as? [String: Any]
            throw Failure(code: v?["error"] as? String ?? "http_\(code)", message: v?["message"] as? String ?? String(text.prefix(500)))
        }
        return obj
    }

    /// A port nobody listens on right now (the kernel's pick for a socket bound to port 0).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(code: "socket", message: "socket() failed: errno \(errno)") }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        guard ok else { throw Failure(code: "bind", message: "cannot find a free port: errno \(errno)") }
        return Int(UInt16(bigEndian: addr.sin_port))
    }
}
