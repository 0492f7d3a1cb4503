import Foundation
@testable import PilotTopology

struct ToolFailure: Error, CustomStringConvertible {
    var description: String
}

/// A field of /proc/thread-self/status: affinity is per thread, and tests run on pool threads.
func threadStatus(_ field: String) throws -> String {
    let text = try String(contentsOfFile: "/proc/thread-self/status", encoding: .utf8)
    for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
        return String(line.dropFirst(field.count + 1)).trimmingWhitespace()
    }
    throw ToolFailure(description: "no \(field) in /proc/thread-self/status")
}

/// Runs a tool and returns its trimmed stdout.
func run(_ executable: String, _ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw ToolFailure(description: "\(executable) \(arguments) exited \(process.terminationStatus)")
    }
    return String(decoding: data, as: UTF8.self).trimmingWhitespace()
}

/// Handed to exactly one thread and read only after joining it.
private final class BoundThreadContext<T: Sendable, E: Error>: @unchecked Sendable {
    let cpu: Int
    let body: @Sendable () throws(E) -> T
    var result: Result<T, E>?
    var bindError: TopologyError?
    init(cpu: Int, body: @escaping @Sendable () throws(E) -> T) {
        self.cpu = cpu
        self.body = body
    }

    func run() {
        do {
            try TopologyLoader.bindCallingThread(to: [cpu])
        } catch {
            bindError = error
            return
        }
        result = Result { () throws(E) -> T in try body() }
    }
}

/// Runs `body` on a new thread bound to one CPU and joins it, so the binding cannot leak
/// into the shared test thread pool.
func onBoundThread<T: Sendable, E: Error>(cpu: Int, _ body: @escaping @Sendable () throws(E) -> T) throws -> Result<T, E> {
    let context = BoundThreadContext(cpu: cpu, body: body)
    let retained = Unmanaged.passRetained(context as AnyObject)
    var thread = pthread_t()
    let rc = pthread_create(&thread, nil, { raw in
        let object = Unmanaged<AnyObject>.fromOpaque(raw!).takeRetainedValue()
        (object as! any ThreadRunnable).run()
        return nil
    }, retained.toOpaque())
    guard rc == 0 else {
        retained.release()
        throw ToolFailure(description: "pthread_create: \(rc)")
    }
    pthread_join(thread, nil)
    if let bindError = context.bindError { throw bindError }
    return context.result!
}

private protocol ThreadRunnable { func run() }
extension BoundThreadContext: ThreadRunnable {}
