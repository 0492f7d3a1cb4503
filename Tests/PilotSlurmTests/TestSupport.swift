import Foundation
@testable import PilotSlurm

/// Paths into the checkout, found from this file's location so tests work
/// from any working directory.
enum TestSupport {
    static let repoRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func profilePath(_ name: String) -> String {
        repoRoot.appendingPathComponent("Profiles/\(name).yaml").path
    }

    static var templatePath: String {
        repoRoot.appendingPathComponent("JobScripts/pilot.sbatch.mustache").path
    }

    /// Parses inline YAML as if it came from `file`, returning the error it must raise.
    static func profileError(_ yaml: String, file: String = "bad.yaml") -> ProfileError? {
        do {
            _ = try ClusterProfile.parse(yaml: yaml, file: file)
            return nil
        } catch {
            return error
        }
    }
}
