import Foundation
import PilotCore
import PilotQuantum

/// The QPU-proxy devices the manager leases: from `Profiles/qpu/*.yaml`.
enum QPUDevices {
    static func load(_ dir: String?) throws -> [QPUDeviceInfo] {
        guard let d = dir ?? ProjectFiles.find("Profiles").map({ $0 + "/qpu" }),
              FileManager.default.fileExists(atPath: d) else { return [] }
        return try QuantumBridge.deviceInfos(directory: d)
    }

    /// The profiles themselves (for the cutting optimizer); none when the directory is missing.
    static func profiles(_ dir: String?) throws -> [QPUDeviceProfile] {
        guard let d = dir ?? ProjectFiles.find("Profiles").map({ $0 + "/qpu" }),
              FileManager.default.fileExists(atPath: d) else { return [] }
        do { return try QPUDeviceProfile.loadAll(directory: d) } catch { throw CLIError("\(error)") }
    }

    /// Fails when `name` has no profile: a task leased on a device nobody offers would wait forever.
    static func require(_ name: String, for what: String) throws {
        guard try load(nil).contains(where: { $0.name == name }) else {
            throw CLIError("\(what) runs on the QPU device '\(name)', and no profile of it was found: Profiles/qpu/ is looked for under PILOT_HOME, the working directory and the executable's directory, and their parents (run from the repository, or set PILOT_HOME to it)")
        }
    }

    /// Slots per device, for splitting a batched variational round into one task per slot.
    static func slots(_ devices: [QPUDeviceInfo]) -> [String: Int] {
        Dictionary(devices.map { ($0.name, $0.slots) }, uniquingKeysWith: { a, _ in a })
    }
}
