/// Command line of `pilot-dsv`. Parsed by hand: the binary links only MPI and PilotQuantum.
struct DSVOptions: Sendable {
    var qubits = 12
    var depth = 10
    var seed: UInt64 = 1
    var circuitPath: String?
    var outputPath: String?
    /// Gather the state on rank 0 and compare with the single-process simulator.
    var check = true
    var amplitudes = 4
    var tolerance = 1e-9
    /// Refuse to run unless MPI reports this many ranks (catches singleton launches).
    var expectRanks: Int?

    static let usage = """
        usage: pilot-dsv [--qubits N] [--depth D] [--seed S] [--circuit FILE.qasm] [--output FILE.json]
                         [--no-check] [--amplitudes K] [--tolerance T] [--expect-ranks R]
        """

    init(arguments: [String]) throws(DSVError) {
        var i = 0
        func value(_ name: String) throws(DSVError) -> String {
            i += 1
            guard i < arguments.count else { throw DSVError(.usage, "\(name) needs a value\n\(Self.usage)") }
            return arguments[i]
        }
        func int(_ name: String) throws(DSVError) -> Int {
            let v = try value(name)
            guard let n = Int(v), n >= 0 else { throw DSVError(.usage, "\(name): '\(v)' is not a non-negative integer") }
            return n
        }
        while i < arguments.count {
            let a = arguments[i]
            switch a {
            case "--qubits": qubits = try int(a)
            case "--depth": depth = try int(a)
            case "--seed": seed = UInt64(try int(a))
            case "--circuit": circuitPath = try value(a)
            case "--output": outputPath = try value(a)
            case "--no-check": check = false
            case "--amplitudes": amplitudes = try int(a)
            case "--expect-ranks": expectRanks = try int(a)
            case "--tolerance":
                let v = try value(a)
                guard let t = Double(v), t > 0 else { throw DSVError(.usage, "--tolerance: '\(v)' is not a positive number") }
                tolerance = t
            case "-h", "--help": throw DSVError(.usage, Self.usage)
            default: throw DSVError(.usage, "unknown argument '\(a)'\n\(Self.usage)")
            }
            i += 1
        }
    }
}
