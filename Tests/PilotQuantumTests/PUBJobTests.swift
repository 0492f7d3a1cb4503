import Foundation
@testable import PilotQuantum
import Testing

/// PUB jobs: decoding, shapes and broadcasting, binding, coefficients, per-register counts, and
/// malformed PUBs (Fixtures/pub_malformed.json) with their exact messages.
@Suite struct PUBJobTests {
    struct Malformed: Sendable, CustomTestStringConvertible, Decodable {
        var name: String
        var job: String
        var expect: String
        var testDescription: String { name }

        private enum CodingKeys: String, CodingKey { case name, job, expect }
        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            name = try c.decode(String.self, forKey: .name)
            expect = try c.decode(String.self, forKey: .expect)
            // The job is kept as JSON text, exactly what a client would send.
            let value = try c.decode(JSONValue.self, forKey: .job)
            job = PUBJobTests.text(value)
        }
    }

    static func text(_ v: JSONValue) -> String {
        switch v {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .number(let d, let exact): return exact.map(String.init) ?? "\(d)"
        case .string(let s): return String(decoding: try! JSONEncoder().encode(s), as: UTF8.self)
        case .array(let a): return "[" + a.map(text).joined(separator: ",") + "]"
        case .object(let o):
            return "{" + o.keys.sorted().map { text(.string($0)) + ":" + text(o[$0]!) }.joined(separator: ",") + "}"
        }
    }

    static let malformed: [Malformed] = (try? JSONDecoder().decode([Malformed].self,
                                                                  from: FixtureLoader.data("pub_malformed.json"))) ?? []

    @Test func malformedFixturesArePresent() {
        #expect(Self.malformed.count >= 25)
    }

    @Test(arguments: malformed)
    func malformedPUBGivesLocatedError(_ fixture: Malformed) {
        do {
            _ = try PUBJob.parse(fixture.job)
            Issue.record("\(fixture.name): expected an error: \(fixture.expect)")
        } catch {
            #expect(error.description == fixture.expect, "\(fixture.name)")
        }
    }

    static let parameterized = """
        OPENQASM 3.0;
        include "stdgates.inc";
        input float[64] a;
        input float[64] b;
        qubit[2] q;
        rx(a) q[0];
        cx q[0], q[1];
        ry(2 * b) q[1];
        """

    static func job(_ json: String) throws -> PUBJob { try PUBJob.parse(json) }

    static func quote(_ s: String) -> String { String(decoding: try! JSONEncoder().encode(s), as: UTF8.self) }

    @Test func bindingsKeepTheirShapeAndColumnOrder() throws {
        // Columns given as (b, a): the second column feeds `a`.
        let j = try Self.job("""
            {"primitive": "estimator", "pubs": [{"circuit": \(Self.quote(Self.parameterized)), "parameters": ["b", "a"],
             "parameter_values": [[[0.1, 0.2]], [[0.3, 0.4]], [[0.5, 0.6]]], "observables": ["ZI", "IZ"]}]}
            """)
        let pub = j.pubs[0]
        #expect(pub.bindingShape == [3, 1])
        #expect(pub.observableShape == [2])
        #expect(pub.resultShape == [3, 2])
        #expect(pub.values(at: 2) == ["b": 0.5, "a": 0.6])
    }

    @Test func broadcastIndicesFollowNumPy() {
        #expect(BroadcastShape.combine([3, 1], [2]) == [3, 2])
        #expect(BroadcastShape.combine([], [4]) == [4])
        #expect(BroadcastShape.combine([2, 3], [3, 2]) == nil)
        #expect(BroadcastShape.combine([5, 1, 4], [3, 1]) == [5, 3, 4])
        // result (3, 2): element (i, j) takes binding (i, 0) and observable j.
        for i in 0..<3 {
            for j in 0..<2 {
                #expect(BroadcastShape.operandIndex(i * 2 + j, result: [3, 2], operand: [3, 1]) == i)
                #expect(BroadcastShape.operandIndex(i * 2 + j, result: [3, 2], operand: [2]) == j)
                #expect(BroadcastShape.operandIndex(i * 2 + j, result: [3, 2], operand: []) == 0)
            }
        }
    }

    @Test func exactEstimatorMatchesTheStatevectorWithCoefficients() throws {
        let j = try Self.job("""
            {"primitive": "estimator", "precision": 0, "pubs": [{"circuit": \(Self.quote(Self.parameterized)),
             "parameter_values": [[0.3, -1.1], [2.0, 0.7]],
             "observables": [[[["ZZ", 0.5], ["XI", -1.25], ["II", 0.75], ["ZZ", 0.5]]], [{"YY": 2.0, "IZ": -0.5}]]}]}
            """)
        #expect(j.pubs[0].resultShape == [2, 2])
        let r = try PUBExecutor.simulate(j, seed: 1)
        let result = r.pubs[0]
        #expect(result.shape == [2, 2])
        let simulator = StateVectorSimulator()
        let bindings = [["a": 0.3, "b": -1.1], ["a": 2.0, "b": 0.7]]
        // Observables have shape (2, 1) and bindings (2,): element (i, k) is observable i, binding k.
        for i in 0..<2 {
            for k in 0..<2 {
                let expected = try Self.exact(observable: i, binding: k, bindings: bindings, simulator: simulator)
                #expect(abs(result.evs![i * 2 + k] - expected) < 1e-12)
            }
        }
        #expect(result.stds!.allSatisfy { $0 == 0 })
        #expect(result.shots == 0)
    }

    static func exact(observable: Int, binding: Int, bindings: [[String: Double]],
                      simulator: StateVectorSimulator) throws -> Double {
        let circuit = try QASMParser.parse(parameterized, bindings: bindings[binding])
        func ev(_ label: String) throws -> Double { try simulator.expectation(try PauliString(label), circuit: circuit) }
        if observable == 0 { return 0.5 * (try ev("ZZ")) - 1.25 * (try ev("XI")) + 0.75 + 0.5 * (try ev("ZZ")) }
        return 2.0 * (try ev("YY")) - 0.5 * (try ev("IZ"))
    }

    @Test func precisionTargetBoundsTheStandardDeviation() throws {
        let j = try Self.job("""
            {"primitive": "estimator", "precision": 0.02, "pubs": [{"circuit": \(Self.quote(Self.parameterized)),
             "parameter_values": [0.4, 0.9], "observables": [["ZZ", 1.5], ["XX", -0.5], ["II", 3.0]]}]}
            """)
        let r = try PUBExecutor.simulate(j, seed: 7).pubs[0]
        #expect(r.shape == [])
        #expect(r.stds![0] > 0)
        #expect(r.stds![0] <= 0.02)
        // ⌈(1.5² + 0.5²) / 0.02²⌉ shots per measured term.
        #expect(r.shots == 6250)
        #expect(r.precision == 0.02)
        let circuit = try QASMParser.parse(Self.parameterized, bindings: ["a": 0.4, "b": 0.9])
        let s = StateVectorSimulator()
        let exact = 1.5 * (try s.expectation(try PauliString("ZZ"), circuit: circuit))
            - 0.5 * (try s.expectation(try PauliString("XX"), circuit: circuit)) + 3.0
        #expect(abs(r.evs![0] - exact) < 5 * r.stds![0])
        // Same seed, same estimate.
        #expect(try PUBExecutor.simulate(j, seed: 7).pubs[0] == r)
    }

    static let twoRegisters = """
        OPENQASM 3.0;
        include "stdgates.inc";
        input float[64] theta;
        qubit[3] q;
        bit[1] flag;
        bit[2] pair;
        rx(theta) q[0];
        cx q[0], q[1];
        cx q[0], q[2];
        flag[0] = measure q[0];
        pair[0] = measure q[1];
        pair[1] = measure q[2];
        """

    @Test func samplerCountsPerRegisterStayAlignedShotByShot() throws {
        let j = try Self.job("""
            {"primitive": "sampler", "shots": 4000, "seed": 11, "pubs": [{"circuit": \(Self.quote(Self.twoRegisters)),
             "parameter_values": [[0.0], [3.141592653589793], [1.0]]}]}
            """)
        let r = try PUBExecutor.simulate(j, seed: 11).pubs[0]
        #expect(r.shape == [3])
        #expect(r.registers == [.init(name: "flag", size: 1), .init(name: "pair", size: 2)])
        let counts = try #require(r.counts)
        let joint = try #require(r.jointCounts)
        #expect(counts[0] == ["flag": ["0": 4000], "pair": ["00": 4000]])
        #expect(counts[1] == ["flag": ["1": 4000], "pair": ["11": 4000]])
        // GHZ-like: every shot has flag == both pair bits; joint keys put the last register first.
        #expect(Set(joint[2].keys).isSubset(of: ["00 0", "11 1"]))
        #expect(joint[2].values.reduce(0, +) == 4000)
        let ones = Double(joint[2]["11 1"] ?? 0)
        let p = sin(0.5) * sin(0.5)
        let sigma = (p * (1 - p) * 4000).squareRoot()
        #expect(abs(ones - p * 4000) < 5 * sigma)
    }

    @Test func samplerWithoutParametersOrMeasurementsGivesZeros() throws {
        let text = "OPENQASM 3.0;\ninclude \"stdgates.inc\";\nqubit[2] q;\nbit[2] c;\nh q[0];\n"
        let j = try Self.job("{\"primitive\": \"sampler\", \"pubs\": [{\"circuit\": \(Self.quote(text)), \"shots\": 10}]}")
        let r = try PUBExecutor.simulate(j, seed: 1).pubs[0]
        #expect(r.shape == [])
        #expect(r.counts == [["c": ["00": 10]]])
        #expect(r.jointCounts == nil)
    }

    @Test func bindingErrorNamesThePUBAndTheBinding() throws {
        let text = "OPENQASM 3.0;\ninclude \"stdgates.inc\";\ninput float[64] a;\nqubit[1] q;\nrx(1 / a) q[0];\n"
        let j = try Self.job("""
            {"primitive": "estimator", "pubs": [{"circuit": "OPENQASM 2.0; qreg q[1];", "observables": "Z"},
             {"circuit": \(Self.quote(text)), "parameter_values": [[[1.0], [0.0]]], "observables": "Z"}]}
            """)
        do {
            _ = try PUBExecutor.simulate(j, seed: 1)
            Issue.record("expected a division by zero")
        } catch {
            #expect(error.description == "pubs[1].circuit:5:6: division by zero (with the values of pubs[1].parameter_values[0][1])")
            #expect(error.field == "pubs[1].parameter_values[0][1]")
        }
    }

    @Test func payloadsAreToldApart() throws {
        let old = String(decoding: try JSONEncoder().encode(QuantumJob(circuit: "OPENQASM 2.0;", shots: 10)), as: UTF8.self)
        #expect(!QuantumPayload.isPUBJob(old))
        #expect(QuantumPayload.isPUBJob("{\"primitive\": \"sampler\", \"pubs\": []}"))
        #expect(!QuantumPayload.isPUBJob("not json"))
    }

    @Test func deviceChecksNameThePUB() throws {
        let wide = "OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[8];\nh q[0];\n"
        let j = try Self.job("""
            {"primitive": "sampler", "pubs": [{"circuit": "OPENQASM 2.0; qreg q[1];"}, {"circuit": \(Self.quote(wide))}]}
            """)
        var device = QPUDeviceProfile(name: "tiny", qubits: 7)
        #expect(throws: QuantumError.self) { try PUBExecutor.check(j, on: device) }
        do { try PUBExecutor.check(j, on: device) } catch {
            #expect(error.description == "pubs[1].circuit: circuit uses 8 qubits but device 'tiny' has 7")
        }
        device.qubits = 8
        try PUBExecutor.check(j, on: device)
        var named = j
        named.device = "other"
        do { try PUBExecutor.check(named, on: device); Issue.record("expected a device mismatch") } catch {
            #expect(error.description == "device: job targets device 'other' but was given 'tiny'")
        }
    }
}
