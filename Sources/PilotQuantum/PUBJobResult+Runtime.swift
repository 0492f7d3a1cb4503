import Foundation

extension PUBJobResult {
    /// Reads what QRMI's task runner writes for a Qiskit-primitive task: the primitive's result in
    /// Qiskit Runtime's JSON encoding (`{"__type__": "PrimitiveResult", "__value__": ...}`, NumPy
    /// arrays as base64 of zlib-compressed `.npy`), checked against the job it answers.
    ///
    /// Sampler: one `BitArray` per classical register of the circuit, counted per binding.
    /// Estimator: `evs` and `stds` of the PUB's broadcast shape. The seed is 0: a QPU has none.
    public static func readRuntime(_ data: Data, job: PUBJob, device: String,
                                   timings: QuantumTimings) throws(QuantumError) -> PUBJobResult {
        func bad(_ why: String, _ path: String) -> QuantumError {
            QuantumError(.runnerOutput, "the runner's result is not the job's \(job.primitive.rawValue) result: \(why)", field: path)
        }
        let root: JSONValue
        do { root = try JSONValue.parse(data) } catch {
            let preview = String(decoding: data.prefix(200), as: UTF8.self)
            throw QuantumError(.runnerOutput, "the runner's result is not JSON (starts \"\(preview)\")", cause: error)
        }
        guard case .object(let result) = unwrap(root, "PrimitiveResult"),
              case .array(let items)? = result["pub_results"] else {
            throw bad("expected a PrimitiveResult with pub_results", "")
        }
        guard items.count == job.pubs.count else {
            throw bad("\(items.count) PUB results for \(job.pubs.count) PUBs", "pub_results")
        }
        var pubs: [PUBResult] = []
        for (index, (item, pub)) in zip(items, job.pubs).enumerated() {
            let path = "pub_results[\(index)]"
            guard case .object(let fields) = unwrap(item, nil), case .object(let bin)? = fields["data"].map({ unwrap($0, "DataBin") }),
                  case .object(let values)? = bin["fields"] else {
                throw bad("expected a PUB result with a DataBin", path)
            }
            var metadataShots: Int?
            if case .object(let metadata)? = fields["metadata"], case .number(_, let n?)? = metadata["shots"] { metadataShots = Int(n) }
            switch job.primitive {
            case .sampler:
                pubs.append(try sampler(pub, values, path: "\(path).data"))
            case .estimator:
                var r = PUBResult(shape: pub.resultShape, shots: metadataShots ?? 0)
                let count = BroadcastShape.count(pub.resultShape)
                for key in ["evs", "stds"] {
                    guard let v = values[key] else { throw bad("no \(key)", "\(path).data") }
                    let numbers = try array(v, path: "\(path).data.\(key)").doubles()
                    guard numbers.count == count else {
                        throw bad("\(numbers.count) values for shape \(BroadcastShape.text(pub.resultShape))", "\(path).data.\(key)")
                    }
                    if key == "evs" { r.evs = numbers } else { r.stds = numbers }
                }
                if case .precision(let p) = pub.target { r.precision = p }
                pubs.append(r)
            }
        }
        return PUBJobResult(primitive: job.primitive, device: device, seed: 0, pubs: pubs, timings: timings)
    }

    /// Counts per binding and register from one `BitArray` per classical register.
    private static func sampler(_ pub: PUB, _ values: [String: JSONValue], path: String) throws(QuantumError) -> PUBResult {
        let registers = pub.circuit.template.classicalRegisters.filter { $0.size > 0 }
        let bindings = pub.bindingCount
        var counts = [[String: [String: Int]]](repeating: [:], count: bindings)
        var strings: [[[String]]] = []
        var shots = pub.shots
        for reg in registers {
            let field = "\(path).\(reg.name)"
            guard case .object(let bits)? = values[reg.name].map({ unwrap($0, "BitArray") }),
                  let array = bits["array"], case .number(_, let width?)? = bits["num_bits"] else {
                throw QuantumError(.runnerOutput, "no BitArray for classical register '\(reg.name)'", field: field)
            }
            let npy = try self.array(array, path: "\(field).array")
            let bytesPerShot = (Int(width) + 7) / 8
            guard npy.element == .uint8, Int(width) == reg.size, npy.shape.count >= 2, npy.shape.last == bytesPerShot,
                  npy.shape.dropLast(2).reduce(1, *) == bindings else {
                throw QuantumError(.runnerOutput,
                                   "BitArray of \(width) bits and shape \(npy.shape) does not fit register \(reg.name)[\(reg.size)] over \(bindings) binding(s)",
                                   field: field)
            }
            shots = npy.shape[npy.shape.count - 2]
            var perBinding: [[String]] = []
            for b in 0..<bindings {
                var words: [String] = []
                words.reserveCapacity(shots)
                for s in 0..<shots {
                    let base = (b * shots + s) * bytesPerShot
                    let text = String((0..<reg.size).reversed().map { i -> Character in
                        npy.bytes[base + bytesPerShot - 1 - i / 8] & UInt8(1 << (i % 8)) != 0 ? "1" : "0"
                    })
                    counts[b][reg.name, default: [:]][text, default: 0] += 1
                    words.append(text)
                }
                perBinding.append(words)
            }
            strings.append(perBinding)
        }
        var r = PUBResult(shape: pub.bindingShape, shots: shots)
        r.registers = registers
        r.counts = counts
        if registers.count > 1 {
            // Qiskit's get_counts: whole shots, registers last-declared first.
            r.jointCounts = (0..<bindings).map { b in
                var joint: [String: Int] = [:]
                for s in 0..<shots { joint[strings.reversed().map { $0[b][s] }.joined(separator: " "), default: 0] += 1 }
                return joint
            }
        }
        return r
    }

    /// `{"__type__": type, "__value__": v}` as `v`; anything else as it is. A nil `type` takes any.
    private static func unwrap(_ value: JSONValue, _ type: String?) -> JSONValue {
        guard case .object(let o) = value, case .string(let t)? = o["__type__"], let inner = o["__value__"],
              type == nil || t == type else { return value }
        return inner
    }

    /// A Runtime-encoded NumPy array: compressed `.npy` text, or a plain number or nested list.
    private static func array(_ value: JSONValue, path: String) throws(QuantumError) -> NPYArray {
        switch unwrap(value, "ndarray") {
        case .string(let text):
            guard let compressed = Data(base64Encoded: text) else {
                throw QuantumError(.runnerOutput, "an ndarray that is not base64", field: path)
            }
            do {
                return try NPYArray(try ZlibInflate.inflate(compressed))
            } catch {
                var located = error
                located.field = path
                throw located
            }
        case let plain:
            var numbers: [Double] = []
            var shape: [Int] = []
            func walk(_ v: JSONValue, depth: Int) -> Bool {
                switch v {
                case .number(let x, _):
                    numbers.append(x)
                    return depth == shape.count
                case .array(let items):
                    if depth == shape.count { shape.append(items.count) } else if shape[depth] != items.count { return false }
                    return items.allSatisfy { walk($0, depth: depth + 1) }
                default:
                    return false
                }
            }
            guard walk(plain, depth: 0) else { throw QuantumError(.runnerOutput, "expected an array of numbers", field: path) }
            return NPYArray(doubles: numbers, shape: shape)
        }
    }
}
