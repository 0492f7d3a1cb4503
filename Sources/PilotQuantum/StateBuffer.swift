import Foundation

/// Owns 2^n amplitudes as interleaved (re, im) Doubles in one allocation.
final class StateBuffer: @unchecked Sendable {
    let qubitCount: Int
    let amplitudeCount: Int
    let storage: UnsafeMutablePointer<Double>

    init(qubits: Int) {
        qubitCount = qubits
        amplitudeCount = 1 << qubits
        storage = .allocate(capacity: 2 * amplitudeCount)
        storage.initialize(repeating: 0, count: 2 * amplitudeCount)
        storage[0] = 1
    }

    init(copying other: StateBuffer) {
        qubitCount = other.qubitCount
        amplitudeCount = other.amplitudeCount
        storage = .allocate(capacity: 2 * amplitudeCount)
        storage.initialize(from: other.storage, count: 2 * amplitudeCount)
    }

    deinit { storage.deallocate() }

    func copy(from other: StateBuffer) {
        storage.update(from: other.storage, count: 2 * amplitudeCount)
    }

    func apply(_ ops: [KernelOperation], loop: ParallelLoop, blocking: Bool = true) {
        let low = ExecutionSchedule.blockQubits
        // Checked between operations: one gate on a large register is the longest a cancel waits.
        let cancellation = qubitCount >= StateVectorSimulator.parallelQubitThreshold ? SimulationCancellation.current : nil
        guard blocking, qubitCount > low else {
            for op in ops {
                if cancellation?.isCancelled == true { return }
                StateVectorKernels.apply(op, to: storage, qubits: qubitCount, loop: loop)
            }
            return
        }
        let serial = ParallelLoop(threads: 1)
        let pointer = AmplitudePointer(base: storage)
        for step in ExecutionSchedule.make(ops, lowQubits: low) {
            if cancellation?.isCancelled == true { return }
            switch step {
            case .full(let op):
                StateVectorKernels.apply(op, to: storage, qubits: qubitCount, loop: loop)
            case .batch(let batch):
                loop.run(1 << (qubitCount - low), minimumWork: 2) { start, end in
                    for block in start..<end {
                        // A batch can hold hundreds of gates: one pass of it over a large state takes seconds.
                        if cancellation?.isCancelled == true { return }
                        let base = pointer.base + 2 * (block << low)
                        for op in batch { StateVectorKernels.apply(op, to: base, qubits: low, loop: serial) }
                    }
                }
            }
        }
    }

    var amplitudes: [ComplexAmplitude] {
        [ComplexAmplitude](unsafeUninitializedCapacity: amplitudeCount) { buffer, count in
            UnsafeMutableRawPointer(buffer.baseAddress!).copyMemory(from: storage, byteCount: 16 * amplitudeCount)
            count = amplitudeCount
        }
    }

    var probabilities: [Double] {
        [Double](unsafeUninitializedCapacity: amplitudeCount) { buffer, count in
            for i in 0..<amplitudeCount {
                let re = storage[2 * i], im = storage[2 * i + 1]
                buffer[i] = re * re + im * im
            }
            count = amplitudeCount
        }
    }

    /// Probability that `qubit` reads 1; summed sequentially so it is independent of threading.
    func probabilityOfOne(_ qubit: Int) -> Double {
        var total = 0.0
        StateVectorKernels.forEachRun(qubits: qubitCount, positions: [qubit], orMask: 1 << qubit,
                                      loop: ParallelLoop(threads: 1)) { first, run in
            let p = storage + 2 * first
            for j in 0..<(2 * run) { total += p[j] * p[j] }
        }
        return total
    }

    /// Projects `qubit` onto `outcome` and renormalises.
    func collapse(_ qubit: Int, to outcome: Bool, probability: Double, loop: ParallelLoop) {
        let scale = probability > 0 ? 1 / probability.squareRoot() : 0
        let keep = outcome ? 1 << qubit : 0
        let drop = outcome ? 0 : 1 << qubit
        let pointer = AmplitudePointer(base: storage)
        StateVectorKernels.forEachRun(qubits: qubitCount, positions: [qubit], orMask: drop, loop: loop) { first, run in
            let p = pointer.base + 2 * first
            for j in 0..<(2 * run) { p[j] = 0 }
        }
        StateVectorKernels.forEachRun(qubits: qubitCount, positions: [qubit], orMask: keep, loop: loop) { first, run in
            let p = pointer.base + 2 * first
            for j in 0..<(2 * run) { p[j] *= scale }
        }
    }
}
