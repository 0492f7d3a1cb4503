import Foundation
import Logging

enum LogSetup {
    /// One process-wide setup; the level comes from --log-level or $PILOT_LOG.
    static func bootstrap(_ level: String?, default def: Logger.Level = .info) {
        let env = ProcessInfo.processInfo.environment["PILOT_LOG"]
        let lvl = (level ?? env).flatMap { Logger.Level(rawValue: $0.lowercased()) } ?? def
        LoggingSystem.bootstrap { label in
            var h = StreamLogHandler.standardError(label: label)
            h.logLevel = lvl
            return h
        }
    }
}
