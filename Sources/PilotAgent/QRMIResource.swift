/// A QPU Slurm granted the job through QRMI's SPANK plugin (`--gres=qpu:N
/// --qpu=NAMES`): the plugin acquires it and tells the job its name and type.
/// An agent registers each as a QPU device of type `qrmi`.
public struct QRMIResource: Sendable, Equatable {
    /// The resource name (a backend such as `ibm_torino`), which is also the device name.
    public var name: String
    /// QRMI's resource type: `direct-access`, `qiskit-runtime-service`, `pasqal-cloud`, ...
    public var resourceType: String
    /// The plugin's per-resource settings (`<name>_QRMI_*`), which QRMI's task runner reads.
    public var environment: [String: String]

    public static let deviceType = "qrmi"

    public init(name: String, resourceType: String, environment: [String: String] = [:]) {
        self.name = name
        self.resourceType = resourceType
        self.environment = environment
    }
}

/// A job environment whose QPU variables contradict each other.
public struct QRMIError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable { case mismatchedLists, invalidName }
    public var code: Code
    public var message: String
    public var description: String { "QRMIError.\(code.rawValue): \(message)" }
}

extension QRMIResource {
    /// The QPUs of this job: `QRMI_JOB_QPU_RESOURCES`/`_TYPES` (current QRMI), else
    /// `SLURM_JOB_QPU_RESOURCES`/`_TYPES` (the SPANK plugin's legacy names), as
    /// comma lists of equal length. Empty when the job was given none.
    public static func discover(in environment: [String: String]) throws(QRMIError) -> [QRMIResource] {
        let prefix = environment["QRMI_JOB_QPU_RESOURCES"].map { _ in "QRMI_JOB_QPU_" } ?? "SLURM_JOB_QPU_"
        guard let namesText = environment[prefix + "RESOURCES"], !namesText.isEmpty else { return [] }
        let names = namesText.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let types = (environment[prefix + "TYPES"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard names.count == types.count else {
            throw QRMIError(code: .mismatchedLists,
                            message: "\(prefix)RESOURCES names \(names.count) QPUs but \(prefix)TYPES gives \(types.count) types")
        }
        var seen: Set<String> = []
        return try names.enumerated().map { i, name throws(QRMIError) in
            guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || "_.-".contains($0) }),
                  seen.insert(name).inserted else {
                throw QRMIError(code: .invalidName, message: "'\(name)' in \(prefix)RESOURCES is empty, repeated or not a device name")
            }
            let settings = environment.filter { $0.key.hasPrefix("\(name)_QRMI_") }
            return QRMIResource(name: name, resourceType: types[i], environment: settings)
        }
    }
}
