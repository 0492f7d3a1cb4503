import Foundation
import PilotCore

/// A circuit file named on the command line, read only up to `InputLimits.maxCircuitBytes`:
/// a circuit is text of a few KB to a few MB, and reading a huge file whole would cost its size.
enum CircuitFile {
    static func read(_ path: String) throws -> String {
        guard let h = FileHandle(forReadingAtPath: path) else { throw CLIError("\(path): cannot read the circuit", exit: .notFound) }
        defer { try? h.close() }
        let limit = InputLimits.maxCircuitBytes
        let data = (try? h.read(upToCount: limit + 1)) ?? Data()
        guard data.count <= limit else { throw CLIError("\(path): a circuit file may have at most \(limit) bytes") }
        guard let text = String(data: data, encoding: .utf8) else { throw CLIError("\(path): the circuit is not UTF-8 text") }
        return text
    }
}
