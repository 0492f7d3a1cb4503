extension StateVectorSimulator {
    /// Estimates ⟨P⟩ the way hardware does: rotate each qubit of P's support into the Z basis
    /// (X: h, Y: sdg then h), sample `shots`, average the parity (±1). The standard error is
    /// √((1 − m²)/shots), the standard deviation of a ±1 variable with mean m over the shots.
    /// Measurements in `circuit` are ignored; mid-circuit measurement or reset is refused.
    public func estimateExpectation(_ pauli: PauliString, circuit: QuantumCircuit, shots: Int, seed: UInt64,
                                    noise: NoiseModel = .ideal) throws(QuantumError) -> ExpectationValue {
        try estimateExpectation(pauli, circuit: circuit, shots: shots, seed: seed, noise: noise, idealState: nil)
    }

    /// `idealState` lets several observables share one noise-free state preparation.
    func estimateExpectation(_ pauli: PauliString, circuit: QuantumCircuit, shots: Int, seed: UInt64,
                             noise: NoiseModel, idealState: StateBuffer?) throws(QuantumError) -> ExpectationValue {
        let p = try pauli.resized(to: circuit.qubitCount)
        let label = pauli.label
        let support = p.support
        guard !support.isEmpty else { return ExpectationValue(observable: label, value: 1, standardError: 0) }
        guard shots > 0 else { throw QuantumError(.invalidArgument, "estimating an expectation needs at least one shot") }
        guard MeasurementAnalysis(circuit).isTerminal else {
            throw QuantumError(.invalidCircuit, "expectation values need a circuit without mid-circuit measurement or reset")
        }
        var rotations: [QuantumGate] = []
        for q in support {
            switch p[q] {
            case .x: rotations.append(QuantumGate(.h, [q]))
            case .y: rotations += [QuantumGate(.sdg, [q]), QuantumGate(.h, [q])]
            default: break
            }
        }
        var words: [UInt64: Int]
        if noise.hasGateNoise {
            var rotated = QuantumCircuit(qubits: circuit.qubitCount, clbits: support.count)
            rotated.operations = circuit.unitaryPart.operations + rotations.map { .gate($0) }
            for (bit, q) in support.enumerated() { rotated.measure(q, bit) }
            words = try sampleWords(rotated, shots: shots, seed: seed, noise: noise).words
        } else {
            let state: StateBuffer
            if let idealState {
                state = StateBuffer(copying: idealState)
            } else {
                state = try prepareState(circuit.unitaryPart)
            }
            state.apply(CircuitLowering.lower(rotations, fuse: fusion), loop: loop(for: circuit.qubitCount))
            var rng = SeededGenerator(seed: seed)
            var source: [Int: Int] = [:]
            for (bit, q) in support.enumerated() { source[bit] = q }
            words = sampleTerminal(state, clbitSource: source, shots: shots, rng: &rng)
            if noise.readout > 0 {
                var readoutRng = SeededGenerator(seed: seed, stream: UInt64.max)
                words = Self.applyReadoutError(words, clbits: Array(0..<support.count), probability: noise.readout,
                                               rng: &readoutRng)
            }
        }
        var sum = 0
        for (word, count) in words { sum += word.nonzeroBitCount & 1 == 0 ? count : -count }
        let mean = Double(sum) / Double(shots)
        let error = (max(0, 1 - mean * mean) / Double(shots)).squareRoot()
        return ExpectationValue(observable: label, value: mean, standardError: error)
    }
}
