import Foundation
import PilotCore

/// The QPU-proxy devices the manager leases: from `Profiles/qpu/*.yaml`.
enum QPUDevices {
    static func load(_ dir: String?) throws -> [QPUDeviceInfo] {
        guard let d = dir ?? ProjectFiles.find("Profiles").map({ $0 + "/qpu" }),
              FileManager.default.fileExists(atPath: d) else { return [] }
        return try QuantumBridge.deviceInfos(directory: d)
    }
}
