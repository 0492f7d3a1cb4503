import Foundation

/// PUB jobs on a device whose executor is an external command. The command keeps its one-circuit
/// contract (`CommandRunner`): every binding of every PUB is bound into a concrete circuit, written
/// as OpenQASM 2 at round-trip precision, and handed over on its own.
///
/// - Sampler: one run per binding with the PUB's shots and no observables. The printed counts
///   (over every classical bit, bit 0 rightmost; Qiskit's space-separated keys are read too) are
///   split per classical register, as the embedded executor splits its samples.
/// - Estimator: per binding, the unitary part runs once per distinct shot count with the
///   binding's distinct non-identity Pauli terms as `{observables}`. Printed expectation values are
///   used as they are (exact runs, shots 0, need them). A command that prints counts only is given,
///   per term, the circuit rotated into the term's basis with every qubit measured: the term's
///   value is the mean parity over its support and its standard error √((1 − v²)/shots). Once a
///   command has answered with counts only, the rest of the job goes straight to those runs.
///
/// Each run is a child process awaited through its termination handler: nothing blocks a thread
/// of the cooperative pool. A failure carries the PUB (and binding) it happened in.
extension PUBExecutor {
    struct CommandDevice: Sendable {
        var argv: [String]
        var timeout: Double?
    }

    /// What the command has shown it prints, learnt on the first estimator run of the job.
    final class CommandHabits: @unchecked Sendable {
        // Touched only by the one task that runs the job, in order.
        var countsOnly = false
    }

    static func runCommand(_ job: PUBJob, device: CommandDevice, seed: UInt64) async throws(QuantumError) -> Outcome {
        var outcome = Outcome(pubs: [], circuits: 0, shots: 0)
        let habits = CommandHabits()
        for (index, pub) in job.pubs.enumerated() {
            var pubSeeds = SeededGenerator(seed: seed, stream: 3_000_000 &+ UInt64(index))
            let pubSeed = pubSeeds.next()
            switch job.primitive {
            case .sampler:
                outcome.pubs.append(try await commandSample(pub, index: index, seed: pubSeed, device: device, outcome: &outcome))
            case .estimator:
                outcome.pubs.append(try await commandEstimate(pub, index: index, seed: pubSeed, device: device, habits: habits,
                                                              outcome: &outcome))
            }
        }
        return outcome
    }

    /// A command's failure, placed: which PUB, which binding (by its coordinates in the array).
    static func placed(_ error: QuantumError, _ pub: PUB, index: Int, binding b: Int) -> QuantumError {
        guard error.field == nil else { return error }
        var located = error
        let coordinates = pub.coordinates(ofBinding: b)
        located.field = "pubs[\(index)]"
        located.message += " (PUB \(index), binding " + (coordinates.isEmpty ? "0" : coordinates.map(String.init).joined(separator: ",")) + ")"
        return located
    }

    static func checkTaskCancelled() throws(QuantumError) {
        if Task.isCancelled { throw QuantumError(.cancelled, "the job was cancelled") }
    }

    static func commandSample(_ pub: PUB, index: Int, seed: UInt64, device: CommandDevice,
                              outcome: inout Outcome) async throws(QuantumError) -> PUBResult {
        let registers = pub.circuit.template.classicalRegisters
        let width = registers.reduce(0) { $0 + $1.size }
        var result = PUBResult(shape: pub.bindingShape, shots: pub.shots)
        result.registers = registers
        var counts: [[String: [String: Int]]] = []
        var joint: [[String: Int]] = []
        for b in 0..<pub.bindingCount {
            try checkTaskCancelled()
            let circuit = try bind(pub, b, index: index)
            var seeds = SeededGenerator(seed: seed, stream: UInt64(b))
            let printed: [String: Int]
            if width == 0 {
                // Nothing is measured into a register: there is no count to ask the device for.
                printed = [:]
            } else {
                do throws(QuantumError) {
                    let (data, program) = try await CommandRunner.execute(
                        circuitText: circuit.qasm(), argv: device.argv, timeout: device.timeout, shots: pub.shots,
                        seed: seeds.next(), qubits: circuit.qubitCount, observables: [])
                    let output = try CommandRunner.decode(data, program: program)
                    guard output.counts != nil else {
                        throw CommandRunner.invalidOutput(program, "no \"counts\" for a sampler run")
                    }
                    printed = try padded(CommandRunner.checkedCounts(output, program: program), width: width, program: program)
                } catch {
                    throw placed(error, pub, index: index, binding: b)
                }
                outcome.circuits += 1
                outcome.shots += pub.shots
            }
            var perRegister: [String: [String: Int]] = [:]
            var whole: [String: Int] = [:]
            for (key, count) in printed {
                var parts: [String] = []
                var end = key.endIndex
                // Bit 0 is rightmost: the first-declared register is the rightmost run of bits.
                for r in registers {
                    let start = key.index(end, offsetBy: -r.size)
                    let bits = String(key[start..<end])
                    perRegister[r.name, default: [:]][bits, default: 0] += count
                    parts.append(bits)
                    end = start
                }
                if registers.count > 1 { whole[parts.reversed().joined(separator: " "), default: 0] += count }
            }
            for r in registers where perRegister[r.name] == nil { perRegister[r.name] = [:] }
            counts.append(perRegister)
            if registers.count > 1 { joint.append(whole) }
        }
        result.counts = counts
        if registers.count > 1 { result.jointCounts = joint }
        return result
    }

    /// Keys widened to `width` bits (a command may drop leading zeros); a longer key is an error.
    static func padded(_ counts: [String: Int], width: Int, program: String) throws(QuantumError) -> [String: Int] {
        var out: [String: Int] = [:]
        for (key, n) in counts {
            guard key.count <= width else {
                throw CommandRunner.invalidOutput(program, "count key \"\(key)\" has \(key.count) bits but the circuit has \(width) classical bits")
            }
            out[String(repeating: "0", count: width - key.count) + key, default: 0] += n
        }
        return out
    }

    static func commandEstimate(_ pub: PUB, index: Int, seed: UInt64, device: CommandDevice, habits: CommandHabits,
                                outcome: inout Outcome) async throws(QuantumError) -> PUBResult {
        let total = BroadcastShape.count(pub.resultShape)
        let byBinding = pub.resultsByBinding()
        let shotsOf = pub.observables.map(pub.shots(for:))
        var evs = [Double](repeating: 0, count: total)
        var stds = [Double](repeating: 0, count: total)
        var mostShots = 0
        for (b, results) in byBinding {
            try checkTaskCancelled()
            let unitary = try bind(pub, b, index: index).unitaryPart
            // The binding's distinct measured terms, by the shots they are measured with.
            var wanted: [Int: [PauliString]] = [:]
            var seen: Set<SampleKey> = []
            for (_, o) in results {
                for term in pub.observables[o].terms where term.pauli.weight > 0 {
                    let key = SampleKey(pauli: term.pauli, shots: shotsOf[o])
                    if seen.insert(key).inserted { wanted[shotsOf[o], default: []].append(term.pauli) }
                }
            }
            var bindingSeeds = SeededGenerator(seed: seed, stream: UInt64(b))
            var measured: [SampleKey: ExpectationValue] = [:]
            for shots in wanted.keys.sorted() {
                let terms = wanted[shots]!
                do throws(QuantumError) {
                    let values = try await measure(terms, on: unitary, shots: shots, seed: bindingSeeds.next(), device: device,
                                                   habits: habits, outcome: &outcome)
                    for (term, value) in zip(terms, values) { measured[SampleKey(pauli: term, shots: shots)] = value }
                } catch {
                    throw placed(error, pub, index: index, binding: b)
                }
                mostShots = max(mostShots, shots)
            }
            for (r, o) in results {
                var value = 0.0
                var variance = 0.0
                for term in pub.observables[o].terms {
                    guard term.pauli.weight > 0 else { value += term.coefficient; continue }
                    let estimate = measured[SampleKey(pauli: term.pauli, shots: shotsOf[o])]!
                    value += term.coefficient * estimate.value
                    variance += term.coefficient * term.coefficient * estimate.standardError * estimate.standardError
                }
                evs[r] = value
                stds[r] = variance.squareRoot()
            }
        }
        return pub.estimatorResult(evs: evs, stds: stds, shots: mostShots)
    }

    /// ⟨P⟩ for each term on the bound circuit's state, in the terms' order.
    static func measure(_ terms: [PauliString], on unitary: QuantumCircuit, shots: Int, seed: UInt64, device: CommandDevice,
                        habits: CommandHabits, outcome: inout Outcome) async throws(QuantumError) -> [ExpectationValue] {
        let labels = try terms.map { (t: PauliString) throws(QuantumError) in try t.resized(to: unitary.qubitCount).label }
        if !habits.countsOnly {
            let (data, program) = try await CommandRunner.execute(
                circuitText: unitary.qasm(), argv: device.argv, timeout: device.timeout, shots: shots, seed: seed,
                qubits: unitary.qubitCount, observables: labels)
            let output = try CommandRunner.decode(data, program: program)
            if let list = output.expectations {
                outcome.circuits += terms.count
                outcome.shots += shots * terms.count
                return try CommandRunner.checkedExpectations(list, program: program, labels: labels, shots: shots)
            }
            guard shots > 0 else {
                throw CommandRunner.invalidOutput(program, "no \"expectations\" for \(terms.count) observable(s) of an exact estimate (no shots or precision): exact values must come from the command")
            }
            habits.countsOnly = true
        }
        guard shots > 0 else {
            throw QuantumError(.commandOutput, "command '\(device.argv.first ?? "")' prints counts only: an exact estimate (no shots or precision) needs expectation values from it")
        }
        var seeds = SeededGenerator(seed: seed, stream: 7_000_000)
        var out: [ExpectationValue] = []
        for (k, term) in terms.enumerated() {
            try checkTaskCancelled()
            let circuit = rotated(unitary, into: term)
            let (data, program) = try await CommandRunner.execute(
                circuitText: circuit.qasm(), argv: device.argv, timeout: device.timeout, shots: shots, seed: seeds.next(),
                qubits: circuit.qubitCount, observables: [])
            let output = try CommandRunner.decode(data, program: program)
            guard output.counts != nil else {
                throw CommandRunner.invalidOutput(program, "no \"counts\" for the basis-rotated run of \(labels[k])")
            }
            let counts = try padded(CommandRunner.checkedCounts(output, program: program), width: circuit.clbitCount, program: program)
            out.append(try parity(counts, of: term, width: circuit.clbitCount, label: labels[k], program: program))
            outcome.circuits += 1
            outcome.shots += shots
        }
        return out
    }

    /// The unitary part followed by the change into `term`'s basis (X: H; Y: S†, H) and a
    /// measurement of every qubit q into classical bit q.
    static func rotated(_ unitary: QuantumCircuit, into term: PauliString) -> QuantumCircuit {
        var c = QuantumCircuit(quantumRegisters: unitary.quantumRegisters,
                               classicalRegisters: [QuantumCircuit.Register(name: "meas", size: unitary.qubitCount)],
                               operations: unitary.operations, globalPhase: unitary.globalPhase)
        for q in term.support {
            switch term[q] {
            case .x: c.append(.h, [q])
            case .y: c.append(.sdg, [q]); c.append(.h, [q])
            case .z, .i: break
            }
        }
        for q in 0..<unitary.qubitCount { c.measure(q, q) }
        return c
    }

    /// The mean of (−1)^(parity of the support's bits) over the counts.
    static func parity(_ counts: [String: Int], of term: PauliString, width: Int, label: String,
                       program: String) throws(QuantumError) -> ExpectationValue {
        var sum = 0
        var n = 0
        for (key, count) in counts {
            let bits = Array(key.utf8)
            var odd = false
            for q in term.support where bits[width - 1 - q] == UInt8(ascii: "1") { odd.toggle() }
            sum += odd ? -count : count
            n += count
        }
        guard n > 0 else { throw CommandRunner.invalidOutput(program, "no shots counted for the basis-rotated run of \(label)") }
        let value = Double(sum) / Double(n)
        return ExpectationValue(observable: label, value: value, standardError: ((1 - value * value) / Double(n)).squareRoot())
    }
}
