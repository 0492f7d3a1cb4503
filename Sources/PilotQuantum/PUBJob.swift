import Foundation

/// A quantum task payload of PUB shape, as Qiskit's `SamplerV2`/`EstimatorV2` see a job: one or
/// more PUBs run on one device. The single-circuit `QuantumJob` remains for the mini-apps and
/// workflows; `QuantumPayload` tells the two apart by the `pubs` key.
public struct PUBJob: Sendable {
    public enum Primitive: String, Sendable, Codable, CaseIterable {
        case sampler, estimator
    }

    public static let version = 1
    /// Default sampler shots when neither the job nor the PUB gives any (Qiskit's default).
    public static let defaultShots = 1024
    /// Sub-results (bindings × broadcast observables) over all PUBs: a bound on work and result size.
    public static let maxResults = 1_000_000
    public static let maxPUBs = 10_000
    /// Pauli terms over all observables of a job.
    public static let maxTerms = 1_000_000

    public var primitive: Primitive
    /// The device the job was written for; nil or "any" accepts the device the task was leased.
    public var device: String?
    public var seed: UInt64?
    public var pubs: [PUB]

    public init(primitive: Primitive, device: String? = nil, seed: UInt64? = nil, pubs: [PUB]) {
        self.primitive = primitive
        self.device = device
        self.seed = seed
        self.pubs = pubs
    }
}
