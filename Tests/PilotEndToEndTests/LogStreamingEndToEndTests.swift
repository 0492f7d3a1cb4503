import Foundation
import PilotCore
import PilotProtocol
import Testing

/// `GET /v1/tasks/ID/logs` streams: a 200 MB log is served whole, in ranges and by its tail while
/// the manager's memory stays bounded.
@Suite(.serialized) struct LogStreamingEndToEndTests {
    static func peakRSSMiB(_ pid: Int32) -> Double {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kb = Double(line.split(separator: " ").dropFirst().first ?? "") else { return -1 }
        return kb / 1024
    }

    @Test func aTwoHundredMegabyteLogIsServedInBoundedMemory() async throws {
        let c = LiveCluster(tag: "biglog")
        defer { c.shutdown() }
        try await c.startManager()
        _ = try c.startAgent(["--topology", "synthetic:package:1 numa:1 core:1 pu:1"], name: "agent")
        try await c.waitForAgents(1)
        let r = try await c.client.submit(SubmitRequest(tasks: [TaskSpec(command: ["/bin/sh", "-c", "echo first"])]))
        #expect(try await c.waitAll(timeout: 60).failed == 0)
        let path = try #require(try await c.client.task(r.first).stdoutPath)

        // 200 MB of numbered lines behind the task's own output, written here so the test does not
        // depend on the per-task output cap.
        let line = Data(String(repeating: "x", count: 99).utf8 + [0x0a])
        let block = Data((0..<10_000).flatMap { _ in line })
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try h.seekToEnd()
        for _ in 0..<200 { try h.write(contentsOf: block) }
        try h.write(contentsOf: Data("last line\n".utf8))
        try h.close()
        let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        #expect(size > 200_000_000)

        let pid = c.manager!.processIdentifier
        let before = Self.peakRSSMiB(pid)
        #expect(try await c.client.logs(r.first, tail: 10) == "last line\n")
        #expect(try await c.client.logs(r.first, offset: 0, length: 6) == "first\n")
        #expect(try await c.client.logs(r.first, offset: 6, length: 3) == "xxx")

        // The whole log, through curl into /dev/null: the manager sends it in chunks.
        let a = try AccessFile.read(from: c.dir)
        let curl = Process()
        curl.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        curl.arguments = ["-s", "-o", "/dev/null", "-w", "%{http_code} %{size_download}",
                          "-H", "Authorization: Bearer \(a.token)"] + a.curlTLS(serverDir: c.dir) + [a.baseURL + "/v1/tasks/\(r.first)/logs"]
        let out = Pipe()
        curl.standardOutput = out
        try curl.run()
        // Waited for on a thread of its own, not on the cooperative pool other tests share.
        let answer = await withCheckedContinuation { c in
            Thread {
                let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                curl.waitUntilExit()
                c.resume(returning: text)
            }.start()
        }
        #expect(answer == "200 \(size)", "\(answer)")

        let peak = Self.peakRSSMiB(pid)
        #expect(peak < 200, "manager peak RSS \(peak) MiB after serving a \(size >> 20) MiB log (before: \(before) MiB)")

        // Bad ranges are the client's error, not the server's.
        let (_, status) = try await c.client.raw("GET", "/v1/tasks/\(r.first)/logs?offset=-1", body: nil)
        #expect(status == 400)
    }
}

/// The per-task output cap: a task that writes without end is killed past it, its log is cut back
/// to the cap with a note, and the attempt fails saying why.
@Suite(.serialized) struct OutputLimitEndToEndTests {
    @Test func aTaskPastTheOutputLimitIsKilledAndItsLogCut() async throws {
        let c = LiveCluster(tag: "outcap")
        defer { c.shutdown() }
        try await c.startManager()
        _ = try c.startAgent(["--topology", "synthetic:package:1 numa:1 core:1 pu:1", "--output-limit", "1M"], name: "agent")
        try await c.waitForAgents(1)
        let r = try await c.client.submit(SubmitRequest(tasks: [TaskSpec(command: ["/bin/sh", "-c", "yes"])]))
        let w = try await c.waitAll(timeout: 60)
        #expect(w.failed == 1)
        let t = try await c.client.task(r.first)
        #expect(t.state == .failed)
        #expect(t.reason?.contains("over the per-task output limit of 1048576 bytes") == true, "\(t.reason ?? "nil")")
        let path = try #require(t.stdoutPath)
        let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        #expect(size < (1 << 20) + 4096, "log of \(size) bytes")
        #expect(try await c.client.logs(r.first, tail: 300).contains("[pilot: output cut at 1048576 bytes"))
    }
}
