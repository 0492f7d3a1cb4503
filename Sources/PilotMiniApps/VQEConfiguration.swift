import PilotWorkflow

/// Parameters of the VQE mini-app: the Ising chain, the ansatz, the optimiser and where the
/// energy is measured. The same names are the iterative stage's `params` keys.
public struct VQEConfiguration: Sendable, Hashable, Codable {
    public var qubits = 4
    public var layers = 4
    public var j = 1.0
    public var h = 1.0
    public var optimizer = VariationalOptimizer.Settings()
    public var maxRounds = 300
    /// Stop when the energy changed by less than this for `patience` rounds in a row.
    public var tolerance = 1e-7
    public var patience = 10
    /// 0: exact expectation values.
    public var shots = 0
    /// QPU-proxy device for tasks (`ideal-sim`, `any`, …) or `cpu`.
    public var device = "ideal-sim"
    public var seed: UInt64 = 1
    public var initScale = 0.1
    /// Tasks a round is split into, each a PUB job over a slice of the round's evaluations; nil: as
    /// many as the device has slots. Ignored when `batched` is false or the device is `cpu`.
    public var tasksPerRound: Int?
    /// false: one single-circuit task per evaluation, as before rounds were batched.
    public var batched = true

    public init() {}

    static let keys = ["qubits", "layers", "j", "h", "optimizer", "learning_rate", "spsa_a", "spsa_c", "max_rounds",
                       "tolerance", "patience", "shots", "device", "seed", "init_scale", "tasks_per_round", "batched"]

    /// From an iterative stage's `params`; `seed` defaults to the workflow's seed.
    public init(params: ParamValue, defaultSeed: UInt64) throws(MiniAppError) {
        let r = try ParameterReader(params, allowed: Self.keys)
        qubits = try r.int("qubits", qubits, 2...12)
        layers = try r.int("layers", layers, 0...20)
        j = try r.double("j", j)
        h = try r.double("h", h)
        optimizer.method = try r.method("optimizer", optimizer.method)
        optimizer.learningRate = try r.double("learning_rate", optimizer.learningRate)
        optimizer.spsaA = try r.double("spsa_a", optimizer.spsaA)
        optimizer.spsaC = try r.double("spsa_c", optimizer.spsaC)
        maxRounds = try r.int("max_rounds", maxRounds, 1...1_000_000)
        tolerance = try r.double("tolerance", tolerance)
        patience = try r.int("patience", patience, 1...10_000)
        shots = try r.int("shots", shots, 0...10_000_000)
        device = try r.string("device", device)
        seed = UInt64(try r.int("seed", Int(truncatingIfNeeded: defaultSeed & 0x7fff_ffff_ffff_ffff), 0...Int.max))
        initScale = try r.double("init_scale", initScale)
        if r.has("tasks_per_round") { tasksPerRound = try r.int("tasks_per_round", 1, 1...10_000) }
        batched = try r.bool("batched", batched)
        optimizer.seed = seed
    }
}
