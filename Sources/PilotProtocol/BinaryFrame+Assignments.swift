import NIOCore
import PilotCore

/// Binary forms of every assignment the manager sends: full assignments (a task that is not an
/// array member, e.g. each quantum task with its own circuit) and references with their templates,
/// QPU leases and custom resources. Through JSON, a full assignment's spec went through
/// `JSONEncoder` on the manager and `TaskDraft` on the agent once per task; here each field is
/// written and read as it is.
///
/// Sent only to agents whose hello says `binaryAssign`; an agent that only says `binary` gets the
/// older frames (references without leases in binary, the rest JSON).
extension BinaryFrame {
    private struct AssignFlags: OptionSet {
        let rawValue: UInt8
        static let qpu = AssignFlags(rawValue: 1), gangHosts = AssignFlags(rawValue: 2), gangPlacements = AssignFlags(rawValue: 4)
    }

    private struct SpecFlags: OptionSet {
        let rawValue: UInt16
        static let name = SpecFlags(rawValue: 1), cwd = SpecFlags(rawValue: 2), payload = SpecFlags(rawValue: 4)
        static let qpu = SpecFlags(rawValue: 8), pilot = SpecFlags(rawValue: 16), estimates = SpecFlags(rawValue: 32)
        static let timeRequest = SpecFlags(rawValue: 64), timeLimit = SpecFlags(rawValue: 128)
        static let arrayIndex = SpecFlags(rawValue: 256), captureOutput = SpecFlags(rawValue: 512)
        static let afterOk = SpecFlags(rawValue: 1024), qpuDevice = SpecFlags(rawValue: 2048)
    }

    /// `assign` and `assignRefs` in the forms only `binaryAssign` agents read; nil for other kinds.
    static func encodeAssignments(_ env: ManagerEnvelope, allocator: ByteBufferAllocator) -> ByteBuffer? {
        switch env.type {
        case .assign:
            let list = env.assign ?? []
            var b = allocator.buffer(capacity: 16 + list.reduce(0) { $0 + 160 + ($1.spec.payload?.utf8.count ?? 0) })
            b.writeInteger(magic); b.writeInteger(ManagerKind.assign.rawValue)
            b.writeInteger(UInt32(list.count))
            for a in list { write(a, to: &b) }
            writeKeys(env.ack ?? [], to: &b)
            return b
        case .assignRefs:
            let refs = env.refs ?? []
            var b = allocator.buffer(capacity: 32 + refs.count * 72)
            b.writeInteger(magic); b.writeInteger(ManagerKind.assignRefsFull.rawValue)
            if let t = env.templates {
                b.writeInteger(UInt8(t.reset ? 3 : 1))
                b.writeInteger(UInt32(t.specs.count))
                for (id, spec) in t.specs.sorted(by: { $0.key < $1.key }) {
                    b.writeInteger(id)
                    write(spec, to: &b)
                }
            } else {
                b.writeInteger(UInt8(0))
            }
            b.writeInteger(UInt32(refs.count))
            for r in refs {
                write(r.key, to: &b)
                b.writeInteger(r.template)
                b.writeInteger(Int64(r.index))
                writeFullPlacement(r.placement, to: &b)
                if let q = r.qpu {
                    b.writeInteger(UInt8(1))
                    write(q, to: &b)
                } else {
                    b.writeInteger(UInt8(0))
                }
            }
            writeKeys(env.ack ?? [], to: &b)
            return b
        default:
            return nil
        }
    }

    static func readAssign(_ r: inout Reader) throws(BinaryFrameError) -> ManagerEnvelope {
        let list = try r.list("assign", minBytes: 40) { r throws(BinaryFrameError) in try readAssignment(&r) }
        let ack = try readKeys(&r)
        try r.end()
        var env = ManagerEnvelope.assign(list)
        if !ack.isEmpty { env.ack = ack }
        return env
    }

    static func readAssignRefsFull(_ r: inout Reader) throws(BinaryFrameError) -> ManagerEnvelope {
        let t = try r.u8("templates")
        var templates: TemplateBatch?
        if t & 1 != 0 {
            var specs: [Int64: TaskSpec] = [:]
            let n = try r.count("templates.specs", minBytes: 60)
            for i in 0..<n {
                do {
                    let id = try r.i64("id")
                    specs[id] = try readSpec(&r)
                } catch { throw error.within("templates.specs[\(i)]") }
            }
            templates = TemplateBatch(reset: t & 2 != 0, specs: specs)
        }
        let refs = try r.list("refs", minBytes: 45) { r throws(BinaryFrameError) -> AssignmentRef in
            let key = try readKey(&r)
            let template = try r.i64("template")
            let index = try r.int("index")
            let placement = try readFullPlacement(&r)
            let qpu = try r.u8("qpu") != 0 ? try readLease(&r) : nil
            return AssignmentRef(key: key, template: template, index: index, placement: placement, qpu: qpu)
        }
        let ack = try readKeys(&r)
        try r.end()
        return .assignRefs(refs, templates: templates, ack: ack.isEmpty ? nil : ack)
    }

    // MARK: pieces

    static func write(_ a: TaskAssignment, to b: inout ByteBuffer) {
        write(a.key, to: &b)
        writeFullPlacement(a.placement, to: &b)
        var f: AssignFlags = []
        if a.qpu != nil { f.insert(.qpu) }
        if a.gangHosts != nil { f.insert(.gangHosts) }
        if a.gangPlacements != nil { f.insert(.gangPlacements) }
        b.writeInteger(f.rawValue)
        if let q = a.qpu { write(q, to: &b) }
        if let h = a.gangHosts { writeStrings(h, to: &b) }
        if let g = a.gangPlacements {
            b.writeInteger(UInt32(g.count))
            for p in g { writeFullPlacement(p, to: &b) }
        }
        write(a.spec, to: &b)
    }

    static func readAssignment(_ r: inout Reader) throws(BinaryFrameError) -> TaskAssignment {
        let key = try readKey(&r)
        let placement = try readFullPlacement(&r)
        let f = AssignFlags(rawValue: try r.u8("flags"))
        let qpu = f.contains(.qpu) ? try readLease(&r) : nil
        let hosts = f.contains(.gangHosts) ? try r.list("gangHosts", minBytes: 4) { r throws(BinaryFrameError) in try r.string("host") } : nil
        let gang = f.contains(.gangPlacements)
            ? try r.list("gangPlacements", minBytes: 20) { r throws(BinaryFrameError) in try readFullPlacement(&r) } : nil
        let spec: TaskSpec
        do { spec = try readSpec(&r) } catch { throw error.within("spec") }
        return TaskAssignment(key: key, spec: spec, placement: placement, gangHosts: hosts, qpu: qpu, gangPlacements: gang)
    }

    static func write(_ q: QPULease, to b: inout ByteBuffer) {
        writeString(q.device, to: &b)
        writeInts(q.slots, to: &b)
    }

    static func readLease(_ r: inout Reader) throws(BinaryFrameError) -> QPULease {
        QPULease(device: try r.string("qpu.device"), slots: try r.ints("qpu.slots"))
    }

    /// A placement with its custom resources (the older reference frame has no room for them).
    static func writeFullPlacement(_ p: NodePlacement, to b: inout ByteBuffer) {
        write(p, to: &b)
        b.writeInteger(UInt32(p.custom.count))
        for c in p.custom {
            writeString(c.name, to: &b)
            b.writeInteger(Int64(c.amount))
        }
    }

    static func readFullPlacement(_ r: inout Reader) throws(BinaryFrameError) -> NodePlacement {
        var p = try readPlacement(&r)
        p.custom = try r.list("placement.custom", minBytes: 12) { r throws(BinaryFrameError) in
            ResourceRequest.CustomAmount(name: try r.string("name"), amount: Int(try r.i64("amount")))
        }
        return p
    }

    static func writeStrings(_ xs: [String], to b: inout ByteBuffer) {
        b.writeInteger(UInt32(xs.count))
        for x in xs { writeString(x, to: &b) }
    }

    /// Every field of the spec, so the agent's copy equals the manager's (tests hold it to the
    /// JSON round trip as well).
    static func write(_ s: TaskSpec, to b: inout ByteBuffer) {
        var f: SpecFlags = []
        if s.name != nil { f.insert(.name) }
        if s.workingDirectory != nil { f.insert(.cwd) }
        if s.payload != nil { f.insert(.payload) }
        if let q = s.request.qpu {
            f.insert(.qpu)
            if q.device != nil { f.insert(.qpuDevice) }
        }
        if s.request.pilot != nil { f.insert(.pilot) }
        if s.qpuEstimates != nil { f.insert(.estimates) }
        if s.timeRequest != nil { f.insert(.timeRequest) }
        if s.timeLimit != nil { f.insert(.timeLimit) }
        if s.arrayIndex != nil { f.insert(.arrayIndex) }
        if s.captureOutput { f.insert(.captureOutput) }
        if s.afterOk { f.insert(.afterOk) }
        b.writeInteger(f.rawValue)
        b.writeInteger(specKindCode(s.kind))
        if let x = s.name { writeString(x, to: &b) }
        writeStrings(s.command, to: &b)
        b.writeInteger(UInt32(s.environment.count))
        for (k, v) in s.environment.sorted(by: { $0.key < $1.key }) {
            writeString(k, to: &b)
            writeString(v, to: &b)
        }
        if let x = s.workingDirectory { writeString(x, to: &b) }
        if let x = s.payload { writeString(x, to: &b) }
        let q = s.request
        b.writeInteger(Int64(q.nodes)); b.writeInteger(Int64(q.ranksPerNode))
        b.writeInteger(Int64(q.coresPerRank)); b.writeInteger(Int64(q.gpusPerRank))
        b.writeInteger(q.memoryBytes)
        b.writeInteger(UInt32(q.custom.count))
        for c in q.custom {
            writeString(c.name, to: &b)
            b.writeInteger(Int64(c.amount))
        }
        if let sel = q.qpu {
            if let d = sel.device { writeString(d, to: &b) }
            b.writeInteger(Int64(sel.minQubits)); b.writeInteger(Int64(sel.count))
            b.writeInteger(policyCode(sel.policy))
        }
        if let x = q.pilot { writeString(x, to: &b) }
        if let list = s.qpuEstimates {
            b.writeInteger(UInt32(list.count))
            for e in list {
                writeString(e.device, to: &b)
                b.writeInteger(e.runtime.bitPattern); b.writeInteger(e.fidelity.bitPattern)
            }
        }
        if let x = s.timeRequest { b.writeInteger(x.bitPattern) }
        if let x = s.timeLimit { b.writeInteger(x.bitPattern) }
        b.writeInteger(Int64(s.priority)); b.writeInteger(Int64(s.retries)); b.writeInteger(Int64(s.crashLimit))
        if let x = s.arrayIndex { b.writeInteger(Int64(x)) }
        b.writeInteger(UInt32(s.after.count))
        for x in s.after { b.writeInteger(x) }
    }

    static func readSpec(_ r: inout Reader) throws(BinaryFrameError) -> TaskSpec {
        let f = SpecFlags(rawValue: try r.u16("flags"))
        var s = TaskSpec()
        s.kind = try specKind(try r.u8("kind"))
        if f.contains(.name) { s.name = try r.string("name") }
        s.command = try r.list("command", minBytes: 4) { r throws(BinaryFrameError) in try r.string("command") }
        let n = try r.count("env", minBytes: 8)
        for _ in 0..<n {
            let k = try r.string("env")
            s.environment[k] = try r.string("env.\(k)")
        }
        if f.contains(.cwd) { s.workingDirectory = try r.string("cwd") }
        if f.contains(.payload) { s.payload = try r.string("payload") }
        var q = ResourceRequest()
        q.nodes = try r.count64("nodes")
        q.ranksPerNode = try r.count64("ranks_per_node")
        q.coresPerRank = try r.count64("cores")
        q.gpusPerRank = try r.count64("gpus")
        q.memoryBytes = try r.u64("mem")
        q.custom = try r.list("custom", minBytes: 12) { r throws(BinaryFrameError) in
            ResourceRequest.CustomAmount(name: try r.string("name"), amount: Int(try r.i64("amount")))
        }
        if f.contains(.qpu) {
            let device = f.contains(.qpuDevice) ? try r.string("qpu.device") : nil
            let minQubits = try r.count64("qpu.min_qubits")
            let count = try r.count64("qpu.count")
            let policy = try devicePolicy(try r.u8("qpu.policy"))
            q.qpu = QPUSelector(device: device, minQubits: minQubits, count: count, policy: policy)
        }
        if f.contains(.pilot) { q.pilot = try r.string("pilot") }
        s.request = q
        if f.contains(.estimates) {
            s.qpuEstimates = try r.list("qpu_estimates", minBytes: 20) { r throws(BinaryFrameError) in
                DeviceEstimate(device: try r.string("device"), runtime: try r.f64("runtime"), fidelity: try r.f64("fidelity"))
            }
        }
        if f.contains(.timeRequest) { s.timeRequest = try r.f64("time") }
        if f.contains(.timeLimit) { s.timeLimit = try r.f64("time_limit") }
        s.priority = Int(try r.i64("priority"))
        s.retries = Int(try r.i64("retries"))
        s.crashLimit = Int(try r.i64("crash_limit"))
        s.captureOutput = f.contains(.captureOutput)
        if f.contains(.arrayIndex) { s.arrayIndex = Int(try r.i64("array_index")) }
        let after = try r.count("after", minBytes: 8)
        s.after.reserveCapacity(after)
        for _ in 0..<after { s.after.append(try r.i64("after")) }
        s.afterOk = f.contains(.afterOk)
        return s
    }

    static func specKindCode(_ k: TaskSpec.Kind) -> UInt8 {
        switch k { case .command: 0; case .quantum: 1; case .null: 2 }
    }

    static func specKind(_ c: UInt8) throws(BinaryFrameError) -> TaskSpec.Kind {
        switch c {
        case 0: .command
        case 1: .quantum
        case 2: .null
        default: throw BinaryFrameError("kind", "unknown task kind \(c)")
        }
    }

    static func policyCode(_ p: DevicePolicy?) -> UInt8 {
        switch p { case nil: 0; case .fastest: 1; case .fidelity: 2; case .balanced: 3 }
    }

    static func devicePolicy(_ c: UInt8) throws(BinaryFrameError) -> DevicePolicy? {
        switch c {
        case 0: nil
        case 1: .fastest
        case 2: .fidelity
        case 3: .balanced
        default: throw BinaryFrameError("qpu.policy", "unknown device policy \(c)")
        }
    }
}
