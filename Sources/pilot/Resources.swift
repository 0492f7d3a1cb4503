import Foundation

/// Finds the project's data folders (Profiles/, JobScripts/) next to the binary or the working
/// directory, so `.build/debug/pilot` and an installed copy both work.
enum ProjectFiles {
    static func find(_ name: String) -> String? {
        var starts: [String] = []
        if let home = ProcessInfo.processInfo.environment["PILOT_HOME"] { starts.append(home) }
        starts.append(FileManager.default.currentDirectoryPath)
        let exe = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().path
        starts.append(exe)
        for s in starts {
            var dir = URL(fileURLWithPath: s)
            for _ in 0..<6 {
                let candidate = dir.appendingPathComponent(name).path
                var isDir: ObjCBool = false
                if FileManager.default.fileExists(atPath: candidate, isDirectory: &isDir), isDir.boolValue { return candidate }
                dir.deleteLastPathComponent()
            }
        }
        return nil
    }

    static var pilotBinary: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().path
    }
}
