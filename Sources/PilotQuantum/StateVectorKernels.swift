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
        if m.isReal {
            // Real matrices (ry, h, fused real products): half the multiplications.
            let (a, b, c, d) = (m.a.re, m.b.re, m.c.re, m.d.re)
            forEachRun(qubits: n, positions: positions, orMask: mask, loop: loop) { first, run in
                let p0 = pointer.base + 2 * first
                let p1 = p0 + stride
                for j in 0..<(2 * run) {
                    let x0 = p0[j], x1 = p1[j]
                    p0[j] = a * x0 + b * x1
                    p1[j] = c * x0 + d * x1
                }
            }
            return
        }
        if m.isRealDiagonalImaginaryOffDiagonal {
            // rx-like [[a, i·b], [i·c, d]] with a, b, c, d real.
            let (a, b, c, d) = (m.a.re, m.b.im, m.c.im, m.d.re)
            forEachRun(qubits: n, positions: positions, orMask: mask, loop: loop) { first, run in
                let p0 = pointer.base + 2 * first
                let p1 = p0 + stride
                for k in 0..<run {
                    let j = 2 * k
                    let x0r = p0[j], x0i = p0[j + 1], x1r = p1[j], x1i = p1[j + 1]
                    p0[j] = a * x0r - b * x1i
                    p0[j + 1] = a * x0i + b * x1r
                    p1[j] = d * x1r - c * x0i
                    p1[j + 1] = d * x1i + c * x0r
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

    /// 4×4 matrix on two qubits with the coefficients held in locals; the workhorse after fusion.
    static func applyDense2(_ state: UnsafeMutablePointer<Double>, _ n: Int, _ q0: Int, _ q1: Int,
                            _ m: [ComplexAmplitude], _ loop: ParallelLoop) {
        let pointer = AmplitudePointer(base: state)
        let o1 = 2 << q0
        let o2 = 2 << q1
        let o3 = o1 + o2
        let (m00r, m00i, m01r, m01i, m02r, m02i, m03r, m03i) = (m[0].re, m[0].im, m[1].re, m[1].im, m[2].re, m[2].im, m[3].re, m[3].im)
        let (m10r, m10i, m11r, m11i, m12r, m12i, m13r, m13i) = (m[4].re, m[4].im, m[5].re, m[5].im, m[6].re, m[6].im, m[7].re, m[7].im)
        let (m20r, m20i, m21r, m21i, m22r, m22i, m23r, m23i) = (m[8].re, m[8].im, m[9].re, m[9].im, m[10].re, m[10].im, m[11].re, m[11].im)
        let (m30r, m30i, m31r, m31i, m32r, m32i, m33r, m33i) = (m[12].re, m[12].im, m[13].re, m[13].im, m[14].re, m[14].im, m[15].re, m[15].im)
        forEachRun(qubits: n, positions: [q0, q1], orMask: 0, loop: loop) { first, run in
            let p = pointer.base + 2 * first
            for k in 0..<run {
                let j = 2 * k
                let a0r = p[j], a0i = p[j + 1]
                let a1r = p[j + o1], a1i = p[j + o1 + 1]
                let a2r = p[j + o2], a2i = p[j + o2 + 1]
                let a3r = p[j + o3], a3i = p[j + o3 + 1]
                p[j] = m00r * a0r - m00i * a0i + m01r * a1r - m01i * a1i + m02r * a2r - m02i * a2i + m03r * a3r - m03i * a3i
                p[j + 1] = m00r * a0i + m00i * a0r + m01r * a1i + m01i * a1r + m02r * a2i + m02i * a2r + m03r * a3i + m03i * a3r
                p[j + o1] = m10r * a0r - m10i * a0i + m11r * a1r - m11i * a1i + m12r * a2r - m12i * a2i + m13r * a3r - m13i * a3i
                p[j + o1 + 1] = m10r * a0i + m10i * a0r + m11r * a1i + m11i * a1r + m12r * a2i + m12i * a2r + m13r * a3i + m13i * a3r
                p[j + o2] = m20r * a0r - m20i * a0i + m21r * a1r - m21i * a1i + m22r * a2r - m22i * a2i + m23r * a3r - m23i * a3i
                p[j + o2 + 1] = m20r * a0i + m20i * a0r + m21r * a1i + m21i * a1r + m22r * a2i + m22i * a2r + m23r * a3i + m23i * a3r
                p[j + o3] = m30r * a0r - m30i * a0i + m31r * a1r - m31i * a1i + m32r * a2r - m32i * a2i + m33r * a3r - m33i * a3i
                p[j + o3 + 1] = m30r * a0i + m30i * a0r + m31r * a1i + m31i * a1r + m32r * a2i + m32i * a2r + m33r * a3i + m33i * a3r
            }
        }
    }

    static func applyDense(_ state: UnsafeMutablePointer<Double>, _ n: Int, _ qubits: [Int],
                           _ matrix: [ComplexAmplitude], _ loop: ParallelLoop) {
        if qubits.count == 2 {
            applyDense2(state, n, qubits[0], qubits[1], matrix, loop)
            return
        }
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
