import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import PilotCore
import PilotProtocol
import Testing

/// `GET /metrics` against the real `pilot` binary: its counters agree with `/v1/summary` during and
/// after a run, the read-only metrics token opens `/metrics` and nothing else, and a real
/// Prometheus server (Debian's `prometheus`) scrapes it and answers a PromQL query.
@Suite(.serialized) struct MetricsEndToEndTests {
    /// GET on the manager (HTTPS with its pinned certificate) with a bearer token (or none); status and body.
    func get(_ a: AccessFile, _ path: String, token: String?) async throws -> (Int, String) {
        let r = try await PilotClient(access: a).request("GET", path, bearer: token)
        return (r.status, String(decoding: r.body, as: UTF8.self))
    }

    /// GET on another server (Prometheus) with a bearer token (or none); status and body.
    func get(_ url: String, token: String?) async throws -> (Int, String) {
        var req = URLRequest(url: URL(string: url)!)
        if let token { req.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        let (data, resp) = try await URLSession.shared.data(for: req)
        return ((resp as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    func scrape(_ a: AccessFile) async throws -> MetricsText {
        let (code, body) = try await get(a, "/metrics", token: a.metricsToken)
        guard code == 200 else { throw E2EError("GET /metrics: \(code) \(body)") }
        return MetricsText(body)
    }

    @Test func countersAgreeWithSummaryAndTokensAreScoped() async throws {
        let c = LiveCluster(tag: "metrics")
        defer { c.shutdown() }
        try await c.startManager()
        _ = try c.startAgent(["--topology", "synthetic:package:1 numa:1 core:2 pu:1"], name: "agent")
        try await c.waitForAgents(1)
        let a = try AccessFile.read(from: c.dir)
        let metricsToken = try #require(a.metricsToken)
        #expect(metricsToken != a.token)

        let n = 300
        let r = try await c.client.submit(SubmitRequest(array: ArraySubmission(template: TaskSpec(command: ["/bin/true"]), range: "1-\(n)")))
        // During the run: what the metrics counted had committed before the summary read after it, so
        // it can be behind the summary and never ahead.
        var midRunScrapes = 0
        while true {
            let m = try await scrape(a)
            let s = try await c.client.summary()
            let finished = try #require(m["swiftpilot_tasks_finished_total"])
            #expect(finished <= Double(s.count(.done)), "finished_total \(finished) ahead of the summary's \(s.count(.done)) done")
            #expect(try #require(m["swiftpilot_tasks_submitted_total"]) <= Double(s.total))
            midRunScrapes += 1
            if s.terminal == n { break }
        }
        _ = try await c.waitAll()
        // After it: the wait answered once the last result was durable, and a scrape counts every
        // commit before it, so one scrape now equals the summary.
        let m = try await scrape(a)
        let s = try await c.client.summary()
        #expect(s.count(.done) == n && r.count == n)
        #expect(m["swiftpilot_tasks_submitted_total"] == Double(s.total))
        #expect(m["swiftpilot_tasks_failed_total"] == Double(s.count(.failed)))
        #expect(m["swiftpilot_tasks_bound_total"] == Double(n) && m["swiftpilot_tasks_started_total"] == Double(n))
        #expect(m[#"swiftpilot_tasks{state="done"}"#] == Double(s.count(.done)))
        #expect(m[#"swiftpilot_tasks{state="ready"}"#] == 0)
        // Every task was seen waiting, bound and run, so each histogram holds one observation per task.
        #expect(m["swiftpilot_task_queue_wait_seconds_count"] == Double(n))
        #expect(m["swiftpilot_task_bind_latency_seconds_count"] == Double(n))
        #expect(m[#"swiftpilot_task_runtime_seconds_count{outcome="done"}"#] == Double(n))
        #expect(m.types["swiftpilot_task_queue_wait_seconds"] == "histogram")
        #expect((m["swiftpilot_store_commit_seconds_count"] ?? 0) > 0)
        #expect(m[#"swiftpilot_agents{state="active"}"#] == 1)
        #expect(m[#"swiftpilot_pilot_cores_free{pilot="none",cluster="none"}"#] == 2 && m[#"swiftpilot_pilot_cores_used{pilot="none",cluster="none"}"#] == 0)
        // Per task a bound and a finished record (a start reported with the end is not journaled apart).
        #expect((m["swiftpilot_journal_rows"] ?? 0) >= Double(2 * n))
        #expect((m["swiftpilot_store_bytes"] ?? 0) > 0)
        #expect(m["swiftpilot_event_stream_subscribers"] == 0)
        #expect(midRunScrapes > 0)

        // Tokens: the main one works here too; the metrics token opens /metrics only; none gets a 401.
        #expect(try await get(a, "/metrics", token: a.token).0 == 200)
        #expect(try await get(a, "/metrics", token: nil).0 == 401)
        #expect(try await get(a, "/metrics", token: "wrong").0 == 401)
        #expect(try await get(a, "/v1/summary", token: metricsToken).0 == 401)
        #expect(try await get(a, "/v1/tasks", token: metricsToken).0 == 401)
        #expect(try await get(a, "/v1/events", token: metricsToken).0 == 401)
    }

    @Test func qpuLeasesAndDeviceLatenciesPerDevice() async throws {
        let c = LiveCluster(tag: "metricsqpu")
        defer { c.shutdown() }
        try await c.startManager()
        _ = try c.startAgent(["--topology", "synthetic:package:1 numa:1 core:2 pu:1"], name: "agent")
        try await c.waitForAgents(1)
        let a = try AccessFile.read(from: c.dir)
        let ghz = PilotBinary.root.appendingPathComponent("Examples/circuits/ghz4.qasm").path
        let text = try String(contentsOfFile: ghz, encoding: .utf8)
        let job = "{\"circuit\":\(try String(decoding: JSONEncoder().encode(text), as: UTF8.self)),\"shots\":100,\"observables\":[\"ZZZZ\"],\"device\":\"small-7\"}"
        var spec = TaskSpec(name: "q", kind: .quantum, request: ResourceRequest(cores: 1, qpu: QPUSelector(device: "small-7")))
        spec.payload = job
        let n = 30
        _ = try await c.client.submit(SubmitRequest(array: ArraySubmission(template: spec, range: "1-\(n)")))
        _ = try await c.waitAll()
        let m = try await scrape(a)
        #expect(m["swiftpilot_tasks_finished_total"] == Double(n))
        let device = #"{device="small-7"}"#
        #expect(m["swiftpilot_qpu_leases_acquired_total" + device] == Double(n))
        #expect(m["swiftpilot_qpu_queue_wait_seconds_count" + device] == Double(n))
        #expect(m["swiftpilot_qpu_execution_seconds_count" + device] == Double(n))
        #expect((m["swiftpilot_qpu_execution_seconds_sum" + device] ?? 0) > 0)
        // Every lease is back; the limit is the device profile's slot count, for every device loaded.
        #expect(m["swiftpilot_qpu_leases_in_use" + device] == 0)
        #expect((m["swiftpilot_qpu_lease_limit" + device] ?? 0) >= 1)
        #expect(m[#"swiftpilot_qpu_lease_limit{device="ideal-sim"}"#] != nil)
    }

    @Test func noMetricsManagerServesNone() async throws {
        let c = LiveCluster(tag: "nometrics")
        defer { c.shutdown() }
        try await c.startManager(extra: ["--no-metrics"])
        let a = try AccessFile.read(from: c.dir)
        #expect(a.metricsToken == nil)
        let (code, body) = try await get(a, "/metrics", token: a.token)
        #expect(code == 404 && body.contains("--no-metrics"), "\(code) \(body)")
    }

    @Test func theMetricsTokenSurvivesARestart() async throws {
        let c = LiveCluster(tag: "metricstoken")
        defer { c.shutdown() }
        try await c.startManager()
        let before = try #require(try AccessFile.read(from: c.dir).metricsToken)
        c.manager!.terminate()
        c.manager!.waitUntilExit()
        // A restart without metrics writes none, and the next one with metrics brings the same token back.
        try await c.startManager(extra: ["--no-metrics"])
        #expect(try AccessFile.read(from: c.dir).metricsToken == nil)
        c.manager!.terminate()
        c.manager!.waitUntilExit()
        try await c.startManager()
        let a = try AccessFile.read(from: c.dir)
        #expect(a.metricsToken == before)
        #expect(try await get(a, "/metrics", token: before).0 == 200)
    }

    static let prometheus = "/usr/bin/prometheus"

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: prometheus), "Debian's prometheus package (JobScripts/setup.sh installs it)"))
    func prometheusScrapesTheManager() async throws {
        let c = LiveCluster(tag: "prom")
        defer { c.shutdown() }
        try await c.startManager()
        _ = try c.startAgent(["--topology", "synthetic:package:1 numa:1 core:2 pu:1"], name: "agent")
        try await c.waitForAgents(1)
        let n = 40
        _ = try await c.client.submit(SubmitRequest(array: ArraySubmission(template: TaskSpec(command: ["/bin/true"]), range: "1-\(n)")))
        _ = try await c.waitAll()
        let a = try AccessFile.read(from: c.dir)
        let token = try #require(a.metricsToken)

        let promPort = try freePort()
        let config = """
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
            scrape_configs:
              - job_name: swiftpilot
                metrics_path: /metrics
                scheme: https
                authorization:
                  type: Bearer
                  credentials: \(token)
                tls_config:
                  # The manager's own self-signed certificate is the only CA: pinned, not skipped.
                  ca_file: \(c.dir)/tls.crt
                static_configs:
                  - targets: ['127.0.0.1:\(a.port)']
            """
        let configPath = c.dir + "/prometheus.yml"
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.prometheus)
        p.arguments = ["--config.file", configPath, "--storage.tsdb.path", c.dir + "/tsdb",
                       "--web.listen-address", "127.0.0.1:\(promPort)"]
        FileManager.default.createFile(atPath: c.dir + "/prometheus.log", contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: c.dir + "/prometheus.log"))
        p.standardOutput = log
        p.standardError = log
        try p.run()
        defer { if p.isRunning { p.terminate(); p.waitUntilExit() } }

        // Readiness and the answer are one poll: the query returns the value once a scrape has landed.
        let query = "http://127.0.0.1:\(promPort)/api/v1/query?query=swiftpilot_tasks_finished_total"
        let deadline = Date().addingTimeInterval(120)
        var value: Double?
        var last = ""
        while Date() < deadline, p.isRunning {
            if let (code, body) = try? await get(query, token: nil), code == 200 {
                last = body
                value = Self.firstValue(body)
                if value == Double(n) { break }
            }
            try await Task.sleep(for: .milliseconds(250))
        }
        let plog = (try? String(contentsOfFile: c.dir + "/prometheus.log", encoding: .utf8)) ?? ""
        #expect(value == Double(n), "Prometheus answered \(last); its log: \(plog.suffix(2000))")
        // promtool (same package) finds the exposition valid and complete, HELP lines included.
        let check = Process()
        check.executableURL = URL(fileURLWithPath: "/usr/bin/promtool")
        check.arguments = ["check", "metrics"]
        let input = Pipe(), output = Pipe()
        check.standardInput = input
        check.standardOutput = output
        check.standardError = output
        try check.run()
        let (_, exposition) = try await get(a, "/metrics", token: token)
        input.fileHandleForWriting.write(Data(exposition.utf8))
        try input.fileHandleForWriting.close()
        let verdict = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        check.waitUntilExit()
        #expect(check.terminationStatus == 0, "promtool: \(verdict)")
        // Prometheus saw the target up, i.e. its token was accepted.
        let up = try await get("http://127.0.0.1:\(promPort)/api/v1/query?query=up", token: nil)
        #expect(Self.firstValue(up.1) == 1, "\(up.1)")
    }

    /// The value of the first sample in a PromQL instant-vector answer.
    static func firstValue(_ body: String) -> Double? {
        guard let obj = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any],
              let data = obj["data"] as? [String: Any], let result = data["result"] as? [[String: Any]],
              let v = result.first?["value"] as? [Any], v.count == 2, let s = v[1] as? String else { return nil }
        return Double(s)
    }

    /// A port nothing listens on now: bound on port 0, read, and closed.
    func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw E2EError("socket: \(errno)") }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        guard ok else { throw E2EError("bind: \(errno)") }
        return Int(UInt16(bigEndian: addr.sin_port))
    }
}
