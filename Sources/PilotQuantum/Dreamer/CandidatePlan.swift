/// One way to run a circuit that the optimizer considered: how it is cut, where each
/// sub-experiment runs, and what the model predicts for it.
public struct CandidatePlan: Sendable, Codable, Hashable {
    /// Short name: fragment width, cut kinds and placement (`w7 wire → small-7`).
    public var label: String
    public var maxFragmentQubits: Int
    /// Whether gate cuts were allowed (the cutter still only cuts gates where that saves wire cuts).
    public var gateCutsAllowed: Bool
    public var wireCuts: Int
    public var gateCuts: Int
    public var fragmentQubits: [Int]
    /// Device of each fragment's sub-experiments (a spread plan may use several per fragment:
    /// then the device running most of them).
    public var fragmentDevices: [String]
    /// `single` (all on one device) or `spread` (each sub-experiment where it ends first).
    public var placement: String
    public var subexperiments: Int
    public var totalShots: Int
    public var samplingOverhead: Double
    public var predictedMakespan: Double
    /// Sum of the predicted runtimes of all sub-experiments (the work, not the wall time).
    public var predictedTaskSeconds: Double
    public var predictedReconstruction: Double
    /// Lowest estimated success probability of a fragment on its device (routed).
    public var fidelity: Double
    /// Statistical error √(overhead/shots) (0 with exact sub-experiments) plus the noise bias
    /// bound 1 − fidelity: a rule of thumb for comparing plans, not a confidence interval.
    public var predictedError: Double
    /// Per sub-experiment, in plan order: the device and its predicted seconds.
    public var assignment: [Assignment]

    public struct Assignment: Sendable, Codable, Hashable {
        public var device: String
        public var seconds: Double
    }
}
