import PilotCore

/// What `PilotQuantum` needs to cut a stage's circuit: the sub-experiment count is only known
/// once it has cut, so the workload's fan-out is deferred to it.
public struct CuttingStagePlan: Sendable, Hashable, Codable {
    public enum CircuitSource: Sendable, Hashable, Codable {
        /// An OpenQASM 2 file; relative paths are relative to the workflow file's directory.
        case file(path: String)
        /// A random circuit; the seed is fixed here (from the file or the workflow seed).
        case random(qubits: Int, depth: Int, seed: UInt64)
    }
    public var circuitSource: CircuitSource
    /// `autoFragmentQubits` (0): the cutting optimizer chooses widths, cuts and devices.
    public var maxFragmentQubits: Int
    public var observables: [String]
    public var shots: Int
    /// As written (`superconducting-27`, `any`, `auto`); `qpu` is its parsed form (`any` for `auto`).
    public var device: String
    public var qpu: QPUSelector

    public init(circuitSource: CircuitSource, maxFragmentQubits: Int, observables: [String], shots: Int,
                device: String, qpu: QPUSelector) {
        self.circuitSource = circuitSource
        self.maxFragmentQubits = maxFragmentQubits
        self.observables = observables
        self.shots = shots
        self.device = device
        self.qpu = qpu
    }

    /// `max_fragment_qubits: auto` as stored (0 is never a valid width, and plans stored before
    /// `auto` existed decode unchanged).
    public static let autoFragmentQubits = 0
    /// `device: auto`: each sub-experiment's device is chosen by the optimizer.
    public static let autoDevice = "auto"

    /// Whether the optimizer plans this stage.
    public var isAuto: Bool { maxFragmentQubits == Self.autoFragmentQubits || device == Self.autoDevice }
}
