import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import PilotCore
import PilotProtocol
import Testing

/// The dashboard in a real headless Chromium (Debian's chromium + chromium-driver) while a workload
/// runs: refused without a login, opened with `pilot dashboard`'s one-time URL, its numbers match
/// `/v1/summary`, its Gantt grows, and a screenshot is saved.
///
/// A missing browser fails the test with the reason: a skipped browser test would let the
/// dashboard break unseen, and `JobScripts/setup.sh` installs it.
@Suite(.serialized) struct DashboardBrowserEndToEndTests {
    /// Where screenshots go: `$PILOT_TEST_OUTPUT` or `.build/test-output/`.
    static var outputDir: String {
        let base = ProcessInfo.processInfo.environment["PILOT_TEST_OUTPUT"] ?? PilotBinary.root.appendingPathComponent(".build/test-output").path
        let d = base + "/DashboardBrowserEndToEndTests"
        try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }

    static let workflowYAML = """
    version: 1
    name: dashboard-demo
    # main waits for <server dir>/gate (workflow dirs are <server dir>/workflows/<id>).
    defaults: {cores: 1}
    stages:
      prep:
        motif: ensemble
        command: ["sh", "-c", "sleep 0.4"]
        sweep: {seed: {seeds: 12}}
      main:
        motif: ensemble
        needs: [prep]
        command: ["sh", "-c", "while [ ! -e {{workflow.dir}}/../../gate ]; do sleep 0.05; done"]
        resources: {qpu: "ideal-sim:1"}
        sweep: {seed: {seeds: 24}}
      wide:
        motif: ensemble
        needs: [prep]
        resources: {cores: 2}
        command: ["sh", "-c", "sleep 0.5"]
        sweep: {seed: {seeds: 4}}
    """

    /// GET without a token on the manager (HTTPS, its certificate pinned): status and body.
    func status(_ url: String, _ a: AccessFile) async throws -> (Int, String) {
        let u = try #require(URL(string: url))
        let r = try await PilotClient(access: a).request("GET", u.path + (u.query.map { "?" + $0 } ?? ""), bearer: nil)
        return (r.status, String(decoding: r.body, as: UTF8.self))
    }


    @Test func dashboardShowsTheRunLive() async throws {
        if let why = WebDriver.missing { Issue.record(Comment(rawValue: why)); return }
        let c = LiveCluster(tag: "dashboard")
        defer { c.shutdown() }
        try await c.startManager()
        _ = try c.startAgent(["--topology", "synthetic:package:1 numa:2 core:2 pu:1"], name: "agent")
        try await c.waitForAgents(1)
        let a = try AccessFile.read(from: c.dir)
        let origin = a.baseURL

        // Refused without a login, and a made-up code opens nothing.
        let (plain, plainBody) = try await status(origin + "/", a)
        #expect(plain == 401 && plainBody.contains("id=\"refused\""))
        let (bogus, _) = try await status(origin + "/login?code=0000", a)
        #expect(bogus == 401)
        let (api, _) = try await status(origin + "/v1/summary", a)
        #expect(api == 401)

        // The browser trusts the manager's self-signed certificate by its public key's hash and no
        // other certificate error: pinning, as the CLI does with the certificate's fingerprint.
        let spki = try TLSPin.spkiSHA256Base64(certificatePEM: String(contentsOfFile: c.dir + "/tls.crt", encoding: .utf8))
        let browser = try await WebDriver(log: c.dir + "/chromedriver.log", browserArgs: ["--ignore-certificate-errors-spki-list=\(spki)"])
        do { try await watch(c, browser, origin: origin) } catch {
            await browser.quit()
            throw error
        }
        await browser.quit()
    }

    func watch(_ c: LiveCluster, _ browser: WebDriver, origin: String) async throws {
        try await browser.navigate(origin + "/")
        #expect(try await browser.execute("return document.getElementById('refused') !== null && document.getElementById('count-done') === null") as? Bool == true)

        // The one-time URL logs in, once.
        let login = try PilotBinary.run(["dashboard", "--server-dir", c.dir])
        try #require(login.status == 0, "pilot dashboard: \(login.err)")
        let url = login.out.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(url.hasPrefix(origin + "/login?code="))
        try await browser.navigate(url)
        #expect(try await browser.currentURL() == origin + "/")
        _ = try await poll("the page's live stream") {
            try await browser.execute("var e = document.getElementById('live'); return e && e.textContent === 'live' ? true : null") as? Bool
        }
        let (again, _) = try await status(url, try AccessFile.read(from: c.dir))
        #expect(again == 401, "a used login code must not open a second session")

        // A workflow and a task array run while the page watches.
        let wf = try await c.client.submitWorkflow(WorkflowSubmitRequest(yaml: Self.workflowYAML))
        _ = try await c.client.submit(SubmitRequest(array: ArraySubmission(template: TaskSpec(command: ["sh", "-c", "sleep 0.2"]), range: "1-30")))
        let barsScript = "return document.querySelectorAll('#gantt rect.bar').length"
        let first = try await poll("the first Gantt bars") { () -> Int? in
            let n = try await browser.execute(barsScript) as? Int ?? 0
            return n > 0 ? n : nil
        }
        // The main stage waits for this gate, so more bars can only come after the first were counted.
        FileManager.default.createFile(atPath: c.dir + "/gate", contents: nil)
        let grown = try await poll("the Gantt to grow past \(first) bars") { () -> Int? in
            let n = try await browser.execute(barsScript) as? Int ?? 0
            return n > first ? n : nil
        }
        #expect(grown > first)
        _ = try await c.waitAll()
        _ = try await poll("workflow \(wf.id) to end") { () -> Bool? in
            let w = try await c.client.workflow(wf.id)
            return w.state == "running" ? nil : true
        }

        // Once the run is over the page's numbers settle on the manager's.
        let summary = try await c.client.summary()
        let states = TaskState.allCases.map(\.rawValue)
        let read = """
        var out = {}; var ids = arguments[0];
        for (var i = 0; i < ids.length; i++) { var e = document.getElementById(ids[i]); out[ids[i]] = e ? Number(e.textContent) : -1; }
        return out;
        """
        let ids = states.map { "count-\($0)" } + ["count-total", "agents-count"]
        var expected: [String: Int] = ["count-total": summary.total, "agents-count": summary.agents]
        for s in TaskState.allCases { expected["count-\(s.rawValue)"] = summary.count(s) }
        let shown = try await poll("the page's counts to match /v1/summary \(expected)") { () -> [String: Int]? in
            let v = try await browser.execute(read, [ids]) as? [String: Any] ?? [:]
            let got = v.mapValues { ($0 as? NSNumber)?.intValue ?? -1 }
            return got == expected ? got : nil
        }
        #expect(shown["count-done"] == 30 + 40)

        // Every task of the run left bars (it all ended within the Gantt's five minutes), one per slot
        // it held: 12 + 30 on one core, 24 on a core and a QPU slot, 4 on two cores.
        let bars = try await browser.execute(barsScript) as? Int ?? 0
        #expect(bars == 12 + 30 + 24 * 2 + 4 * 2)
        let qpuRows = try await browser.execute("return document.querySelectorAll('#devices .slot.qpu').length") as? Int
        #expect(qpuRows ?? 0 >= 4)
        let dag = try await browser.execute("return document.querySelectorAll('svg.dag g.stage').length") as? Int
        #expect(dag == 3)
        let cores = try await browser.execute("return document.querySelectorAll('#agents .slot.core').length") as? Int
        #expect(cores == 4)

        let png = try await browser.screenshotPNG()
        let path = Self.outputDir + "/dashboard.png"
        try png.write(to: URL(fileURLWithPath: path))
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        print("dashboard screenshot: \(path)")
    }
}
