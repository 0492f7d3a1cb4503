/// Gate kernels over interleaved (re, im) Double buffers of 2^n amplitudes, qubit 0 being the
/// least significant index bit (Qiskit order). They touch only the amplitudes a gate changes and
/// allocate nothing per amplitude. Every kernel works on any buffer of 2^n amplitudes, so a rank
/// of a distributed simulation can call them on its local slice with n = number of local qubits.
enum StateVectorKernels {
    /// Inserts a 0 bit at each of the ascending `positions` of `value`.
    @inline(__always)
    static func insertZeros(_ value: Int, _ positions: UnsafeBufferPointer<Int>) -> Int {
        var v = value
        for p in positions {
            let low = v & ((1 << p) - 1)
            v = ((v >> p) << (p + 1)) | low
        }
        return v
    }

    /// Calls `body(firstIndex, runLength)` for every run of consecutive indices whose bits at
    /// `positions` are zero, with `orMask` or-ed in. Runs let the inner loops stream memory.
    @inline(__always)
    static func forEachRun(qubits n: Int, positions: [Int], orMask: Int, loop: ParallelLoop,
                           _ body: (Int, Int) -> Void) {
        let sorted = positions.sorted()
        let groups = 1 << (n - sorted.count)
        let runLength = 1 << sorted[0]
        sorted.withUnsafeBufferPointer { pos in
            loop.run(groups) { start, end in
                var g = start
                while g < end {
                    let offset = g & (runLength - 1)
                    let run = min(end - g, runLength - offset)
                    body(insertZeros(g, pos) | orMask, run)
                    g += run
                }
            }
        }
    }

    static func apply(_ op: KernelOperation, to state: UnsafeMutablePointer<Double>, qubits n: Int, loop: ParallelLoop) {
        switch op {
        case .matrix1(let target, let mask, let m):
            applyMatrix1(state, n, target, mask, m, loop)
        case .phase(let mask, let value):
            applyPhase(state, n, mask, value, loop)
        case .diagonal(let qubits, let values):
            applyDiagonal(state, n, qubits, values, loop)
        case .swap(let a, let b, let mask):
            applySwap(state, n, a, b, mask, loop)
        case .dense(let qubits, let matrix):
            applyDense(state, n, qubits, matrix, loop)
        }
    }

    static func applyMatrix1(_ state: UnsafeMutablePointer<Double>, _ n: Int, _ target: Int, _ mask: Int,
                             _ m: Matrix2, _ loop: ParallelLoop) {
        if m.isIdentity { return }
        if m.isDiagonal {
            if m.a == .one {
                applyPhase(state, n, mask | (1 << target), m.d, loop)
                return
            }
            if m.d == .one {
                applyPhaseOnZero(state, n, target, mask, m.a, loop)
                applyPhase(state, n, mask | (1 << target), m.d, loop)
                return
            }
        }
        let pointer = AmplitudePointer(base: state)
        let stride = 2 << target
        let positions = [target] + KernelOperation.bits(mask)
        if m.isDiagonal {
            let (ar, ai, dr, di) = (m.a.re, m.a.im, m.d.re, m.d.im)
            forEachRun(qubits: n, positions: positions, orMask: mask, loop: loop) { first, run in
                let p0 = pointer.base + 2 * first
                let p1 = p0 + stride
                for k in 0..<run {
                    let j = 2 * k
                    let x0r = p0[j], x0i = p0[j + 1], x1r = p1[j], x1i = p1[j + 1]
                    p0[j] = ar * x0r - ai * x0i
                    p0[j + 1] = ar * x0i + ai * x0r
                    p1[j] = dr * x1r - di * x1i
                    p1[j + 1] = dr * x1i + di * x1r
                }
            }
            return
        }
        if m.isAntiDiagonal {
            let (br, bi, cr, ci) = (m.b.re, m.b.im, m.c.re, m.c.im)
            if m.b == .one && m.c == .one {
                forEachRun(qubits: n, positions: positions, orMask: mask, loop: loop) { first, run in
                    let p0 = pointer.base + 2 * first
                    let p1 = p0 + stride
                    for j in 0..<(2 * run) {
                        let t = p0[j]
                        p0[j] = p1[j]
                        p1[j] = t
                    }
                }
                return
            }
            forEachRun(qubits: n, positions: positions, orMask: mask, loop: loop) { first, run in
                let p0 = pointer.base + 2 * first
                let p1 = p0 + stride
                for k in 0..<run {
                    let j = 2 * k
                    let x0r = p0[j], x0i = p0[j + 1], x1r = p1[j], x1i = p1[j + 1]
                    p0[j] = br * x1r - bi * x1i
                    p0[j + 1] = br * x1i + bi * x1r
                    p1[j] = cr * x0r - ci * x0i
                    p1[j + 1] = cr * x0i + ci * x0r
                }
            }
            return
        }
        let (ar, ai, br, bi) = (m.a.re, m.a.im, m.b.re, m.b.im)
        let (cr, ci, dr, di) = (m.c.re, m.c.im, m.d.re, m.d.im)
        forEachRun(qubits: n, positions: positions, orMask: mask, loop: loop) { first, run in
            let p0 = pointer.base + 2 * first
            let p1 = p0 + stride
            for k in 0..<run {
                let j = 2 * k
                let x0r = p0[j], x0i = p0[j + 1], x1r = p1[j], x1i = p1[j + 1]
                p0[j] = ar * x0r - ai * x0i + br * x1r - bi * x1i
                p0[j + 1] = ar * x0i + ai * x0r + br * x1i + bi * x1r
                p1[j] = cr * x0r - ci * x0i + dr * x1r - di * x1i
                p1[j + 1] = cr * x0i + ci * x0r + dr * x1i + di * x1r
            }
        }
    }

    static func applyPhase(_ state: UnsafeMutablePointer<Double>, _ n: Int, _ mask: Int, _ value: ComplexAmplitude,
                           _ loop: ParallelLoop) {
        if value == .one { return }
        let pointer = AmplitudePointer(base: state)
        let (vr, vi) = (value.re, value.im)
        let positions = KernelOperation.bits(mask)
        if positions.isEmpty {
            loop.run(1 << n) { start, end in
                scalePhase(pointer.base + 2 * start, end - start, vr, vi)
            }
            return
        }
        forEachRun(qubits: n, positions: positions, orMask: mask, loop: loop) { first, run in
            scalePhase(pointer.base + 2 * first, run, vr, vi)
        }
    }

    /// Multiplies amplitudes with `target` = 0 (and all `mask` bits 1) by `value`.
    static func applyPhaseOnZero(_ state: UnsafeMutablePointer<Double>, _ n: Int, _ target: Int, _ mask: Int,
                                 _ value: ComplexAmplitude, _ loop: ParallelLoop) {
        if value == .one { return }
        let pointer = AmplitudePointer(base: state)
        let (vr, vi) = (value.re, value.im)
        forEachRun(qubits: n, positions: [target] + KernelOperation.bits(mask), orMask: mask, loop: loop) { first, run in
            scalePhase(pointer.base + 2 * first, run, vr, vi)
        }
    }

    @inline(__always)
    private static func scalePhase(_ p: UnsafeMutablePointer<Double>, _ run: Int, _ vr: Double, _ vi: Double) {
        if vi == 0 {
            for j in 0..<(2 * run) { p[j] *= vr }
            return
        }
        for k in 0..<run {
            let j = 2 * k
            let xr = p[j], xi = p[j + 1]
            p[j] = vr * xr - vi * xi
            p[j + 1] = vr * xi + vi * xr
        }
    }

    static func applyDiagonal(_ state: UnsafeMutablePointer<Double>, _ n: Int, _ qubits: [Int],
                              _ values: [ComplexAmplitude], _ loop: ParallelLoop) {
        let pointer = AmplitudePointer(base: state)
        qubits.withUnsafeBufferPointer { qs in
            values.withUnsafeBufferPointer { vs in
                let qsBox = UncheckedBox(qs)
                let vsBox = UncheckedBox(vs)
                loop.run(1 << n) { start, end in
                    let qs = qsBox.value, vs = vsBox.value
                    for i in start..<end {
                        var local = 0
                        for (j, q) in qs.enumerated() { local |= ((i >> q) & 1) << j }
                        let v = vs[local]
                        let p = pointer.base + 2 * i
                        let xr = p[0], xi = p[1]
                        p[0] = v.re * xr - v.im * xi
                        p[1] = v.re * xi + v.im * xr
                    }
                }
            }
        }
    }

    static func applySwap(_ state: UnsafeMutablePointer<Double>, _ n: Int, _ a: Int, _ b: Int, _ mask: Int,
                          _ loop: ParallelLoop) {
        let pointer = AmplitudePointer(base: state)
        let offsetA = 2 << a
        let offsetB = 2 << b
        // Only |…1_a…0_b…⟩ ↔ |…0_a…1_b…⟩ move.
        forEachRun(qubits: n, positions: [a, b] + KernelOperation.bits(mask), orMask: mask, loop: loop) { first, run in
            let p0 = pointer.base + 2 * first
            let pa = p0 + offsetA
            let pb = p0 + offsetB
            for j in 0..<(2 * run) {
                let t = pa[j]
                pa[j] = pb[j]
                pb[j] = t
            }
        }
    }

    static func applyDense(_ state: UnsafeMutablePointer<Double>, _ n: Int, _ qubits: [Int],
                           _ matrix: [ComplexAmplitude], _ loop: ParallelLoop) {
        let k = qubits.count
        let dim = 1 << k
        let pointer = AmplitudePointer(base: state)
        var offsets = [Int](repeating: 0, count: dim)
        for local in 0..<dim {
            var off = 0
            for (j, q) in qubits.enumerated() where (local >> j) & 1 == 1 { off |= 1 << q }
            offsets[local] = 2 * off
        }
        let sorted = qubits.sorted()
        let groups = 1 << (n - k)
        offsets.withUnsafeBufferPointer { offs in
            matrix.withUnsafeBufferPointer { mat in
                sorted.withUnsafeBufferPointer { pos in
                    let box = UncheckedBox((offs, mat, pos))
                    loop.run(groups) { start, end in
                        let (offs, mat, pos) = box.value
                        withUnsafeTemporaryAllocation(of: Double.self, capacity: 2 * dim) { scratch in
                            for g in start..<end {
                                let base = pointer.base + 2 * insertZeros(g, pos)
                                for r in 0..<dim {
                                    scratch[2 * r] = base[offs[r]]
                                    scratch[2 * r + 1] = base[offs[r] + 1]
                                }
                                for r in 0..<dim {
                                    var accR = 0.0, accI = 0.0
                                    let row = r * dim
                                    for c in 0..<dim {
                                        let m = mat[row + c]
                                        let xr = scratch[2 * c], xi = scratch[2 * c + 1]
                                        accR += m.re * xr - m.im * xi
                                        accI += m.re * xi + m.im * xr
                                    }
                                    base[offs[r]] = accR
                                    base[offs[r] + 1] = accI
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
