import NIOCore
import PilotCore

/// A compact binary form for the agent channel's per-task messages: outcomes and starts (agent →
/// manager), assignments by reference and acknowledgements (manager → agent). These are sent once
/// per task, and the Foundation JSON coders spent more CPU on them than the rest of the system
/// (≈ 28 % of a null-task run's samples). Everything else — hello, welcome, templates, full specs,
/// errors — stays JSON, which is rare and easier to debug.
///
/// A binary frame starts with `magic`, which no JSON text starts with, so a reader tells the two
/// apart by the first byte. Peers advertise the binary form in hello/welcome; a writer uses it only
/// when the peer said it reads it, so an older peer still gets JSON.
///
/// Layout (big-endian): magic, kind, then the kind's fields. Strings and lists carry a UInt32 count;
/// counts are checked against the bytes left before anything is allocated, so a hostile frame can't
/// ask for a huge array.
public enum BinaryFrame {
    public static let magic: UInt8 = 0xB1

    enum AgentKind: UInt8 { case finished = 1, started = 2 }
    enum ManagerKind: UInt8 { case assignRefs = 1, ack = 2, assign = 3, assignRefsFull = 4 }

    public static func isBinary(_ buf: ByteBuffer) -> Bool {
        buf.getInteger(at: buf.readerIndex, as: UInt8.self) == magic
    }

    // MARK: agent → manager

    /// The binary form of `env`, or nil when it is not one of the per-task kinds.
    public static func encode(_ env: AgentEnvelope, allocator: ByteBufferAllocator) -> ByteBuffer? {
        switch env.type {
        case .finished:
            let outs = env.finished ?? [], starts = env.started ?? []
            var b = allocator.buffer(capacity: 16 + outs.count * 48 + starts.count * 24)
            b.writeInteger(magic); b.writeInteger(AgentKind.finished.rawValue)
            b.writeInteger(UInt32(outs.count))
            for o in outs { write(o, to: &b) }
            b.writeInteger(UInt32(starts.count))
            for s in starts { write(s, to: &b) }
            return b
        case .started:
            let starts = env.started ?? []
            var b = allocator.buffer(capacity: 8 + starts.count * 24)
            b.writeInteger(magic); b.writeInteger(AgentKind.started.rawValue)
            b.writeInteger(UInt32(starts.count))
            for s in starts { write(s, to: &b) }
            return b
        default:
            return nil
        }
    }

    public static func decodeAgentEnvelope(_ buffer: ByteBuffer) throws(BinaryFrameError) -> AgentEnvelope {
        var r = Reader(buffer)
        try r.skipMagic()
        switch AgentKind(rawValue: try r.u8("kind")) {
        case .finished:
            var env = AgentEnvelope.finished(try r.list("finished", minBytes: 30) { r throws(BinaryFrameError) in try readOutcome(&r) })
            let starts = try r.list("started", minBytes: 21) { r throws(BinaryFrameError) in try readRunning(&r) }
            if !starts.isEmpty { env.started = starts }
            try r.end()
            return env
        case .started:
            let env = AgentEnvelope.started(try r.list("started", minBytes: 21) { r throws(BinaryFrameError) in try readRunning(&r) })
            try r.end()
            return env
        case nil:
            throw BinaryFrameError("kind", "unknown agent message kind")
        }
    }

    // MARK: manager → agent

    /// The binary form of `env`, or nil when it is not a per-task kind or carries what only JSON
    /// expresses (templates, QPU leases, custom resources). `assignments`: the peer reads every
    /// assignment in binary (`AgentHello.binaryAssign`), so full assignments, templates and leases
    /// go binary too.
    public static func encode(_ env: ManagerEnvelope, allocator: ByteBufferAllocator, assignments: Bool = false) -> ByteBuffer? {
        if assignments, let b = encodeAssignments(env, allocator: allocator) { return b }
        switch env.type {
        case .assignRefs:
            guard env.templates == nil else { return nil }
            let refs = env.refs ?? []
            for r in refs where r.qpu != nil || !r.placement.custom.isEmpty { return nil }
            var b = allocator.buffer(capacity: 16 + refs.count * 64 + (env.ack?.count ?? 0) * 12)
            b.writeInteger(magic); b.writeInteger(ManagerKind.assignRefs.rawValue)
            b.writeInteger(UInt32(refs.count))
            for r in refs {
                write(r.key, to: &b)
                b.writeInteger(r.template)
                b.writeInteger(Int64(r.index))
                write(r.placement, to: &b)
            }
            writeKeys(env.ack ?? [], to: &b)
            return b
        case .ack:
            let keys = env.ack ?? []
            var b = allocator.buffer(capacity: 8 + keys.count * 12)
            b.writeInteger(magic); b.writeInteger(ManagerKind.ack.rawValue)
            writeKeys(keys, to: &b)
            return b
        default:
            return nil
        }
    }

    public static func decodeManagerEnvelope(_ buffer: ByteBuffer) throws(BinaryFrameError) -> ManagerEnvelope {
        var r = Reader(buffer)
        try r.skipMagic()
        switch ManagerKind(rawValue: try r.u8("kind")) {
        case .assignRefs:
            let refs = try r.list("refs", minBytes: 40) { r throws(BinaryFrameError) -> AssignmentRef in
                let key = try readKey(&r)
                let template = try r.i64("template")
                let index = try r.int("index")
                return AssignmentRef(key: key, template: template, index: index, placement: try readPlacement(&r))
            }
            let ack = try readKeys(&r)
            try r.end()
            return .assignRefs(refs, templates: nil, ack: ack.isEmpty ? nil : ack)
        case .ack:
            let env = ManagerEnvelope.ack(try readKeys(&r))
            try r.end()
            return env
        case .assign:
            return try readAssign(&r)
        case .assignRefsFull:
            return try readAssignRefsFull(&r)
        case nil:
            throw BinaryFrameError("kind", "unknown manager message kind")
        }
    }

    // MARK: pieces

    static func write(_ k: TaskKey, to b: inout ByteBuffer) {
        b.writeInteger(k.task)
        b.writeInteger(Int32(truncatingIfNeeded: k.attempt))
    }

    static func readKey(_ r: inout Reader) throws(BinaryFrameError) -> TaskKey {
        let task = try r.i64("task")
        let attempt = try r.i32("attempt")
        guard attempt >= 0 else { throw BinaryFrameError("attempt", "must not be negative") }
        return TaskKey(task: task, attempt: Int(attempt))
    }

    static func writeKeys(_ keys: [TaskKey], to b: inout ByteBuffer) {
        b.writeInteger(UInt32(keys.count))
        for k in keys { write(k, to: &b) }
    }

    static func readKeys(_ r: inout Reader) throws(BinaryFrameError) -> [TaskKey] {
        try r.list("ack", minBytes: 12) { r throws(BinaryFrameError) in try readKey(&r) }
    }

    private struct Flags: OptionSet {
        let rawValue: UInt8
        static let exitCode = Flags(rawValue: 1), signal = Flags(rawValue: 2), timedOut = Flags(rawValue: 4)
        static let startedAt = Flags(rawValue: 8), reason = Flags(rawValue: 16), result = Flags(rawValue: 32)
        static let pid = Flags(rawValue: 64), resultError = Flags(rawValue: 128)
    }

    static func write(_ o: TaskOutcome, to b: inout ByteBuffer) {
        write(o.key, to: &b)
        b.writeInteger(kindCode(o.kind))
        var f: Flags = []
        if o.exitCode != nil { f.insert(.exitCode) }
        if o.signal != nil { f.insert(.signal) }
        if o.timedOut { f.insert(.timedOut) }
        if o.startedAt != nil { f.insert(.startedAt) }
        if o.reason != nil { f.insert(.reason) }
        if o.result != nil { f.insert(.result) }
        if o.resultError != nil { f.insert(.resultError) }
        b.writeInteger(f.rawValue)
        if let x = o.exitCode { b.writeInteger(x) }
        if let x = o.signal { b.writeInteger(x) }
        if let x = o.startedAt { b.writeInteger(x.bitPattern) }
        b.writeInteger(o.endedAt.bitPattern)
        if let s = o.reason { writeString(s, to: &b) }
        if let s = o.result { writeString(s, to: &b) }
        if let s = o.resultError { writeString(s, to: &b) }
    }

    static func readOutcome(_ r: inout Reader) throws(BinaryFrameError) -> TaskOutcome {
        let key = try readKey(&r)
        let kind = try outcomeKind(try r.u8("kind"))
        let f = Flags(rawValue: try r.u8("flags"))
        var o = TaskOutcome(key: key, kind: kind, endedAt: 0)
        if f.contains(.exitCode) { o.exitCode = try r.i32("exitCode") }
        if f.contains(.signal) { o.signal = try r.i32("signal") }
        o.timedOut = f.contains(.timedOut)
        if f.contains(.startedAt) { o.startedAt = try r.time("startedAt") }
        o.endedAt = try r.time("endedAt")
        if f.contains(.reason) { o.reason = try r.string("reason") }
        if f.contains(.result) { o.result = try r.string("result") }
        if f.contains(.resultError) { o.resultError = try r.string("resultError") }
        return o
    }

    static func write(_ s: RunningTask, to b: inout ByteBuffer) {
        write(s.key, to: &b)
        b.writeInteger(s.pid == nil ? 0 : Flags.pid.rawValue)
        if let p = s.pid { b.writeInteger(p) }
        b.writeInteger(s.startedAt.bitPattern)
    }

    static func readRunning(_ r: inout Reader) throws(BinaryFrameError) -> RunningTask {
        let key = try readKey(&r)
        let f = Flags(rawValue: try r.u8("flags"))
        let pid = f.contains(.pid) ? try r.i32("pid") : nil
        return RunningTask(key: key, pid: pid, startedAt: try r.time("startedAt"))
    }

    static func write(_ p: NodePlacement, to b: inout ByteBuffer) {
        b.writeInteger(Int64(p.agent))
        b.writeInteger(p.memoryBytes)
        b.writeInteger(UInt32(p.ranks.count))
        for rank in p.ranks {
            writeInts(rank.cores, to: &b); writeInts(rank.pus, to: &b)
            writeInts(rank.gpus, to: &b); writeInts(rank.domains, to: &b)
        }
    }

    static func readPlacement(_ r: inout Reader) throws(BinaryFrameError) -> NodePlacement {
        let agent = try r.int("placement.agent")
        let memory = try r.u64("placement.memoryBytes")
        let ranks = try r.list("placement.ranks", minBytes: 16) { r throws(BinaryFrameError) in
            NodePlacement.RankSlots(cores: try r.ints("cores"), pus: try r.ints("pus"), gpus: try r.ints("gpus"), domains: try r.ints("domains"))
        }
        return NodePlacement(agent: agent, ranks: ranks, memoryBytes: memory)
    }

    static func writeInts(_ xs: [Int], to b: inout ByteBuffer) {
        b.writeInteger(UInt32(xs.count))
        for x in xs { b.writeInteger(Int32(truncatingIfNeeded: x)) }
    }

    static func writeString(_ s: String, to b: inout ByteBuffer) {
        b.writeInteger(UInt32(s.utf8.count))
        b.writeString(s)
    }

    static func kindCode(_ k: TaskOutcome.Kind) -> UInt8 {
        switch k { case .exited: 0; case .launchFailed: 1; case .drained: 2; case .canceled: 3 }
    }

    static func outcomeKind(_ c: UInt8) throws(BinaryFrameError) -> TaskOutcome.Kind {
        switch c {
        case 0: .exited
        case 1: .launchFailed
        case 2: .drained
        case 3: .canceled
        default: throw BinaryFrameError("kind", "unknown outcome kind \(c)")
        }
    }

    /// Bounds-checked reads that name the field a truncated or hostile frame broke.
    struct Reader {
        var buf: ByteBuffer
        init(_ b: ByteBuffer) { buf = b }

        mutating func skipMagic() throws(BinaryFrameError) {
            guard try u8("magic") == BinaryFrame.magic else { throw BinaryFrameError("magic", "not a binary frame") }
        }
        mutating func end() throws(BinaryFrameError) {
            guard buf.readableBytes == 0 else { throw BinaryFrameError(nil, "\(buf.readableBytes) unexpected bytes after the message") }
        }
        mutating func u8(_ f: String) throws(BinaryFrameError) -> UInt8 {
            guard let x = buf.readInteger(as: UInt8.self) else { throw .truncated(f) }
            return x
        }
        mutating func u16(_ f: String) throws(BinaryFrameError) -> UInt16 {
            guard let x = buf.readInteger(as: UInt16.self) else { throw .truncated(f) }
            return x
        }
        mutating func i32(_ f: String) throws(BinaryFrameError) -> Int32 {
            guard let x = buf.readInteger(as: Int32.self) else { throw .truncated(f) }
            return x
        }
        mutating func i64(_ f: String) throws(BinaryFrameError) -> Int64 {
            guard let x = buf.readInteger(as: Int64.self) else { throw .truncated(f) }
            return x
        }
        mutating func u64(_ f: String) throws(BinaryFrameError) -> UInt64 {
            guard let x = buf.readInteger(as: UInt64.self) else { throw .truncated(f) }
            return x
        }
        mutating func int(_ f: String) throws(BinaryFrameError) -> Int {
            let x = try i64(f)
            guard x >= 0, x <= Int64(Int32.max) else { throw BinaryFrameError(f, "value \(x) out of range") }
            return Int(x)
        }
        /// A count or size in a spec: non-negative, and small enough that no sum of them overflows.
        mutating func count64(_ f: String) throws(BinaryFrameError) -> Int {
            let x = try i64(f)
            guard x >= 0, x <= Int64(Int32.max) else { throw BinaryFrameError(f, "value \(x) out of range") }
            return Int(x)
        }
        mutating func f64(_ f: String) throws(BinaryFrameError) -> Double {
            Double(bitPattern: try u64(f))
        }
        /// A finite, non-negative time: NaN or infinity would poison every duration computed from it.
        mutating func time(_ f: String) throws(BinaryFrameError) -> Double {
            let x = Double(bitPattern: try u64(f))
            guard x.isFinite, x >= 0 else { throw BinaryFrameError(f, "time \(x) is not a finite, non-negative number") }
            return x
        }
        mutating func count(_ f: String, minBytes: Int) throws(BinaryFrameError) -> Int {
            guard let n = buf.readInteger(as: UInt32.self) else { throw .truncated(f) }
            guard Int(n) <= buf.readableBytes / max(minBytes, 1) else {
                throw BinaryFrameError(f, "count \(n) exceeds what the remaining \(buf.readableBytes) bytes can hold")
            }
            return Int(n)
        }
        mutating func list<T>(_ f: String, minBytes: Int, _ element: (inout Reader) throws(BinaryFrameError) -> T) throws(BinaryFrameError) -> [T] {
            let n = try count(f, minBytes: minBytes)
            var out: [T] = []
            out.reserveCapacity(n)
            for i in 0..<n {
                do { out.append(try element(&self)) } catch { throw error.within("\(f)[\(i)]") }
            }
            return out
        }
        mutating func ints(_ f: String) throws(BinaryFrameError) -> [Int] {
            let n = try count(f, minBytes: 4)
            var out = [Int](); out.reserveCapacity(n)
            for _ in 0..<n {
                let x = try i32(f)
                guard x >= 0 else { throw BinaryFrameError(f, "negative id \(x)") }
                out.append(Int(x))
            }
            return out
        }
        mutating func string(_ f: String) throws(BinaryFrameError) -> String {
            let n = try count(f, minBytes: 1)
            guard let s = buf.readString(length: n) else { throw .truncated(f) }
            return s
        }
    }
}

/// A binary agent-channel frame that is truncated, out of range or of an unknown kind.
public struct BinaryFrameError: Error, Sendable, CustomStringConvertible {
    public let code = "bad_frame"
    public var field: String?
    public var message: String

    public init(_ field: String?, _ message: String) { self.field = field; self.message = message }

    static func truncated(_ f: String) -> Self { Self(f, "frame ends before this field") }

    func within(_ prefix: String) -> Self { Self(field.map { "\(prefix).\($0)" } ?? prefix, message) }

    public var description: String { field.map { "\($0): \(message)" } ?? message }
}
