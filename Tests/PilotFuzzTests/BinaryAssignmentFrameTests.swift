import Foundation
import NIOCore
import PilotCore
import PilotProtocol
import Testing

/// Every assignment in binary (`AgentHello.binaryAssign`): full assignments with QPU leases and
/// gangs, references with templates, leases and custom resources. Each must read back equal to
/// what was sent, and equal to what the JSON frame gives.
struct BinaryAssignmentFrameTests {
    let alloc = ByteBufferAllocator()

    static var quantumSpec: TaskSpec {
        var s = TaskSpec(name: "q7", kind: .quantum)
        s.request.qpu = QPUSelector(device: "ideal-sim")
        s.payload = "{\"circuit\":\"OPENQASM 2.0;\\ninclude \\\"qelib1.inc\\\";\\nqreg q[2];\\nh q[0];\\ncx q[0],q[1];\\n\",\"device\":\"ideal-sim\",\"shots\":0,\"observables\":[\"ZZ\"]}"
        return s
    }

    static var everyField: TaskSpec {
        var s = TaskSpec(name: "all é 🙂", kind: .command, command: ["/bin/echo", "a b", ""],
                         request: ResourceRequest(cores: 3, gpus: 1, memoryBytes: 3 << 30, nodes: 2, ranksPerNode: 4,
                                                  custom: ["license": 2, "scratch": 10], qpu: QPUSelector(device: nil, minQubits: 5, count: 2, policy: .fidelity),
                                                  pilot: "p-1"))
        s.environment = ["A": "1", "PATH_X": "/x:/y", "E": ""]
        s.workingDirectory = "/tmp/w d"
        s.payload = "payload \"quoted\"\n"
        s.qpuEstimates = [DeviceEstimate(device: "a", runtime: 0.25, fidelity: 0.9), DeviceEstimate(device: "b", runtime: 3, fidelity: 1)]
        s.timeRequest = 90
        s.timeLimit = 0.5
        s.priority = -4
        s.retries = 2
        s.crashLimit = 1
        s.captureOutput = false
        s.arrayIndex = 17
        s.after = [3, 9_000_000_000]
        s.afterOk = true
        return s
    }

    static var assignments: [TaskAssignment] {
        let one = NodePlacement(agent: 2, ranks: [.init(cores: [1], pus: [1], gpus: [], domains: [0])])
        let gangA = NodePlacement(agent: 1, ranks: [.init(cores: [0, 1], pus: [0, 64], gpus: [0], domains: [0])],
                                  memoryBytes: 1 << 30, custom: [.init(name: "license", amount: 2)])
        let gangB = NodePlacement(agent: 4, ranks: [.init(cores: [2], pus: [2], gpus: [], domains: [1])])
        return [
            TaskAssignment(key: TaskKey(task: 11, attempt: 0), spec: quantumSpec, placement: one,
                           qpu: QPULease(device: "ideal-sim", slots: [3])),
            TaskAssignment(key: TaskKey(task: Int64.max, attempt: 9), spec: everyField, placement: gangA,
                           gangHosts: ["n1", "n2"], qpu: QPULease(device: "line-20", slots: [0, 1]), gangPlacements: [gangA, gangB]),
            TaskAssignment(key: TaskKey(task: 12, attempt: 1), spec: TaskSpec(kind: .null), placement: one),
        ]
    }

    @Test func fullAssignmentsRoundTrip() throws {
        let acks = [TaskKey(task: 1, attempt: 0), TaskKey(task: 2, attempt: 3)]
        var env = ManagerEnvelope.assign(Self.assignments)
        env.ack = acks
        let buf = try #require(BinaryFrame.encode(env, allocator: alloc, assignments: true))
        let back = try JSONCoding.decodeManagerFrame(buf)
        #expect(back.type == .assign)
        #expect(back.assign == Self.assignments)
        #expect(back.ack == acks)
        // The same assignments through the JSON frame read back the same.
        let json = try JSONCoding.decodeManagerFrame(try JSONCoding.frame(ManagerEnvelope.assign(Self.assignments), allocator: alloc))
        #expect(json.assign == back.assign)
        // Without acknowledgements none come back.
        let plain = try JSONCoding.decodeManagerFrame(try #require(BinaryFrame.encode(.assign(Self.assignments), allocator: alloc, assignments: true)))
        #expect(plain.ack == nil)
    }

    @Test func referencesWithTemplatesAndLeasesRoundTrip() throws {
        let refs = [
            AssignmentRef(key: TaskKey(task: 5, attempt: 0), template: 77, index: 123_456,
                          placement: NodePlacement(agent: 3, ranks: [.init(cores: [0], pus: [0], gpus: [], domains: [0])]),
                          qpu: QPULease(device: "ideal-sim", slots: [0])),
            AssignmentRef(key: TaskKey(task: 6, attempt: 3), template: 78, index: 0,
                          placement: NodePlacement(agent: 3, ranks: [.init(cores: [5], pus: [5], gpus: [1], domains: [1])],
                                                   memoryBytes: 1 << 33, custom: [.init(name: "lic", amount: 1)])),
        ]
        for templates in [nil, TemplateBatch(specs: [77: Self.quantumSpec, 78: Self.everyField]),
                          TemplateBatch(reset: true, specs: [78: TaskSpec(command: ["true"])])] {
            let env = ManagerEnvelope.assignRefs(refs, templates: templates, ack: [TaskKey(task: 1, attempt: 0)])
            let back = try JSONCoding.decodeManagerFrame(try #require(BinaryFrame.encode(env, allocator: alloc, assignments: true)))
            #expect(back.type == .assignRefs)
            #expect(back.refs == refs)
            #expect(back.templates == templates)
            #expect(back.ack == [TaskKey(task: 1, attempt: 0)])
        }
    }

    /// A spec through the binary frame equals the same spec through the JSON the agent read before.
    @Test func specEqualsTheJSONRoundTrip() throws {
        for spec in [Self.quantumSpec, Self.everyField, TaskSpec(command: ["x"])] {
            let a = TaskAssignment(key: TaskKey(task: 1, attempt: 0), spec: spec,
                                   placement: NodePlacement(agent: 1, ranks: [.init(cores: [0], pus: [0], gpus: [], domains: [0])]))
            let viaJSON = try JSONCoding.decodeManagerFrame(try JSONCoding.frame(ManagerEnvelope.assign([a]), allocator: alloc)).assign
            let viaBinary = try JSONCoding.decodeManagerFrame(try #require(BinaryFrame.encode(.assign([a]), allocator: alloc, assignments: true))).assign
            #expect(viaBinary == viaJSON)
            #expect(viaBinary == [a])
        }
    }

    /// Agents that did not say `binaryAssign` keep getting JSON for what the older frame can't carry.
    @Test func olderAgentsStillGetJSON() throws {
        let env = ManagerEnvelope.assign(Self.assignments)
        #expect(BinaryFrame.encode(env, allocator: alloc) == nil)
        #expect(!BinaryFrame.isBinary(try JSONCoding.frame(env, binary: true, allocator: alloc)))
        #expect(BinaryFrame.isBinary(try JSONCoding.frame(env, binary: true, assignments: true, allocator: alloc)))
    }

    @Test func truncatedOrMutatedAssignmentsFailWithAField() throws {
        let bytes = Array(try #require(BinaryFrame.encode(.assign(Self.assignments), allocator: alloc, assignments: true)).readableBytesView)
        // Every truncation fails, naming where.
        for cut in stride(from: 2, to: bytes.count, by: 7) {
            var buf = alloc.buffer(capacity: cut)
            buf.writeBytes(bytes.prefix(cut))
            do { _ = try BinaryFrame.decodeManagerEnvelope(buf); Issue.record("truncated frame of \(cut) bytes accepted") } catch {
                #expect(!error.message.isEmpty)
            }
        }
        var m = Mutator(state: 11)
        var decided = 0
        for _ in 0..<ParserFuzzTests.cases {
            var b = bytes
            for _ in 0..<(1 + m.int(3)) {
                let at = 2 + m.int(b.count - 2)
                b[at] ^= UInt8(truncatingIfNeeded: 1 << m.int(8))
            }
            var buf = alloc.buffer(capacity: b.count)
            buf.writeBytes(b)
            do { _ = try BinaryFrame.decodeManagerEnvelope(buf) } catch { #expect(!error.message.isEmpty) }
            decided += 1
        }
        #expect(decided == ParserFuzzTests.cases)
    }
}
