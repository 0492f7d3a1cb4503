import NIOCore
import PilotCore
import PilotProtocol
import Testing

/// The binary per-task frames: exact round trips, JSON fallback for what they can't carry, and
/// mutated frames that must each decode or fail with a named field, never trap or over-allocate.
struct BinaryFrameTests {
    static let outcomes = [
        TaskOutcome(key: TaskKey(task: 1, attempt: 0), kind: .exited, exitCode: 0, startedAt: 10.5, endedAt: 11.25),
        TaskOutcome(key: TaskKey(task: Int64.max, attempt: 7), kind: .drained, signal: 15, timedOut: true, endedAt: 12,
                    reason: "stopped at the end of the pilot's walltime", result: "{\"counts\":{\"00\":3}}"),
        TaskOutcome(key: TaskKey(task: 3, attempt: 1), kind: .launchFailed, endedAt: 0, reason: "exec: é 🙂"),
        TaskOutcome(key: TaskKey(task: 4, attempt: 2), kind: .canceled, exitCode: -1, endedAt: 1),
    ]
    static let started = [RunningTask(key: TaskKey(task: 9, attempt: 0), pid: 4242, startedAt: 3.5),
                          RunningTask(key: TaskKey(task: 10, attempt: 1), pid: nil, startedAt: 4)]
    static let refs = [
        AssignmentRef(key: TaskKey(task: 5, attempt: 0), template: 77, index: 123_456,
                      placement: NodePlacement(agent: 3, ranks: [.init(cores: [0, 1], pus: [0, 64], gpus: [], domains: [0])])),
        AssignmentRef(key: TaskKey(task: 6, attempt: 3), template: 77, index: 0,
                      placement: NodePlacement(agent: 3, ranks: [.init(cores: [5], pus: [5], gpus: [1], domains: [1]),
                                                                 .init(cores: [6], pus: [6], gpus: [], domains: [1])],
                                               memoryBytes: 1 << 33)),
    ]
    let alloc = ByteBufferAllocator()

    @Test func agentMessagesRoundTrip() throws {
        var env = AgentEnvelope.finished(Self.outcomes)
        env.started = Self.started
        let back = try JSONCoding.decodeAgentFrame(try #require(BinaryFrame.encode(env, allocator: alloc)))
        #expect(back.type == .finished)
        #expect(back.finished == Self.outcomes)
        #expect(back.started == Self.started)

        let s = try JSONCoding.decodeAgentFrame(try #require(BinaryFrame.encode(AgentEnvelope.started(Self.started), allocator: alloc)))
        #expect(s.type == .started && s.started == Self.started)
        // Kinds without a binary form go out as JSON and are read back as such.
        #expect(BinaryFrame.encode(AgentEnvelope.heartbeat, allocator: alloc) == nil)
        let hb = try JSONCoding.frame(AgentEnvelope.heartbeat, binary: true, allocator: alloc)
        #expect(try JSONCoding.decodeAgentFrame(hb).type == .heartbeat)
    }

    @Test func managerMessagesRoundTrip() throws {
        let acks = [TaskKey(task: 1, attempt: 0), TaskKey(task: 2, attempt: 5)]
        let env = ManagerEnvelope.assignRefs(Self.refs, templates: nil, ack: acks)
        let back = try JSONCoding.decodeManagerFrame(try #require(BinaryFrame.encode(env, allocator: alloc)))
        #expect(back.type == .assignRefs && back.refs == Self.refs && back.ack == acks && back.templates == nil)
        let a = try JSONCoding.decodeManagerFrame(try #require(BinaryFrame.encode(ManagerEnvelope.ack(acks), allocator: alloc)))
        #expect(a.type == .ack && a.ack == acks)
    }

    @Test func whatBinaryCannotCarryFallsBackToJSON() throws {
        let withTemplates = ManagerEnvelope.assignRefs(Self.refs, templates: TemplateBatch(specs: [77: TaskSpec(command: ["true"])]))
        #expect(BinaryFrame.encode(withTemplates, allocator: alloc) == nil)
        var leased = Self.refs[0]
        leased.qpu = QPULease(device: "ideal", slots: [0])
        let env = ManagerEnvelope.assignRefs([leased], templates: nil)
        #expect(BinaryFrame.encode(env, allocator: alloc) == nil)
        let json = try JSONCoding.frame(env, binary: true, allocator: alloc)
        #expect(!BinaryFrame.isBinary(json))
        #expect(try JSONCoding.decodeManagerFrame(json).refs == [leased])
    }

    @Test func hostileFramesFailWithAField() throws {
        // A count that claims more elements than the frame holds is refused before allocating.
        var huge = alloc.buffer(capacity: 8)
        huge.writeInteger(BinaryFrame.magic); huge.writeInteger(UInt8(1)); huge.writeInteger(UInt32.max)
        #expect(throws: BinaryFrameError.self) { try BinaryFrame.decodeAgentEnvelope(huge) }
        // A NaN time.
        var nan = BinaryFrame.encode(AgentEnvelope.started([RunningTask(key: TaskKey(task: 1, attempt: 0), pid: nil, startedAt: 1)]),
                                     allocator: alloc)!
        nan.setInteger(Double.nan.bitPattern, at: nan.writerIndex - 8)
        do { _ = try BinaryFrame.decodeAgentEnvelope(nan); Issue.record("NaN accepted") } catch {
            #expect(error.field == "started[0].startedAt")
        }
        // Unknown kind.
        var k = alloc.buffer(capacity: 2)
        k.writeInteger(BinaryFrame.magic); k.writeInteger(UInt8(99))
        #expect(throws: BinaryFrameError.self) { try BinaryFrame.decodeManagerEnvelope(k) }
    }

    @Test func mutatedFramesNeverTrap() throws {
        var env = AgentEnvelope.finished(Self.outcomes)
        env.started = Self.started
        let seeds = [Array(BinaryFrame.encode(env, allocator: alloc)!.readableBytesView),
                     Array(BinaryFrame.encode(ManagerEnvelope.assignRefs(Self.refs, templates: nil, ack: [TaskKey(task: 1, attempt: 0)]),
                                              allocator: alloc)!.readableBytesView)]
        var m = Mutator(state: 7)
        var rejected = 0, accepted = 0
        for i in 0..<(2 * ParserFuzzTests.cases) {
            var bytes = seeds[i % 2]
            for _ in 0..<(1 + m.int(3)) where bytes.count > 2 {
                let at = 1 + m.int(bytes.count - 1)
                switch m.int(4) {
                case 0: bytes[at] ^= UInt8(truncatingIfNeeded: 1 << m.int(8))
                case 1: bytes = Array(bytes.prefix(at))
                case 2: bytes.insert(UInt8(truncatingIfNeeded: m.next()), at: at)
                default: bytes[at] = 0xFF
                }
            }
            var buf = alloc.buffer(capacity: bytes.count)
            buf.writeBytes(bytes)
            do {
                if i % 2 == 0 { _ = try BinaryFrame.decodeAgentEnvelope(buf) } else { _ = try BinaryFrame.decodeManagerEnvelope(buf) }
                accepted += 1
            } catch {
                #expect(!error.message.isEmpty)
                rejected += 1
            }
        }
        #expect(accepted + rejected == 2 * ParserFuzzTests.cases)
        #expect(rejected > ParserFuzzTests.cases)
    }
}
