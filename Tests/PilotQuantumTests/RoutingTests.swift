import Foundation
import Testing
@testable import PilotQuantum

/// SABRE routing on the shipped heavy-hex (superconducting-27) and line (line-20) devices, against
/// the original circuits' states and Qiskit's SWAP counts (Fixtures/gen_routing.py).
@Suite struct RoutingTests {
    struct Fixture: Decodable, Sendable, CustomTestStringConvertible {
        var name: String
        var device: String
        var qubits: Int
        var qasm: String
        var qiskitSwaps: Int

        enum CodingKeys: String, CodingKey {
            case name, device, qubits, qasm
            case qiskitSwaps = "qiskit_swaps"
        }

        var testDescription: String { name }
    }

    static let fixtures: [Fixture] = {
        struct File: Decodable { var circuits: [Fixture] }
        guard let data = try? FixtureLoader.data("routing_fixtures.json"),
              let file = try? JSONDecoder().decode(File.self, from: data) else { return [] }
        return file.circuits
    }()

    static func device(_ name: String) throws -> QPUDeviceProfile {
        try QPUDeviceProfile.load(path: ProfileTests.profileDirectory + "/\(name).yaml")
    }

    /// The routed circuit on its region only (region qubit k becomes qubit k), so it simulates at
    /// the circuit's width plus the spare qubits instead of the whole chip's.
    static func compact(_ result: RoutingResult) throws -> QuantumCircuit {
        var index: [Int: Int] = [:]
        for (k, q) in result.region.enumerated() { index[q] = k }
        var circuit = QuantumCircuit(qubits: result.region.count, clbits: result.circuit.clbitCount)
        circuit.globalPhase = result.circuit.globalPhase
        for op in result.circuit.operations {
            guard op.qubits.allSatisfy({ index[$0] != nil }) else {
                throw QuantumError(.invalidCircuit, "routed operation \(op) leaves the region \(result.region)")
            }
            circuit.operations.append(op.mapQubits { index[$0]! })
        }
        return circuit
    }

    /// Largest difference between the original state and the routed one read through the final
    /// layout (logical qubit l sits on physical finalLayout[l]; the spare qubits stay in |0⟩).
    static func layoutDistance(_ original: QuantumCircuit, _ result: RoutingResult) throws -> Double {
        let simulator = StateVectorSimulator(threads: 2)
        let expected = try simulator.statevector(original.unitaryPart)
        let routed = try simulator.statevector(try compact(result).unitaryPart)
        let position = result.finalLayout.map { result.region.firstIndex(of: $0)! }
        var worst = 0.0
        var mass = 0.0
        for i in expected.indices {
            var j = 0
            for (l, p) in position.enumerated() where (i >> l) & 1 == 1 { j |= 1 << p }
            let a = routed[j], e = expected[i]
            worst = max(worst, abs(a.re - e.re), abs(a.im - e.im))
            mass += a.normSquared
        }
        // Any amplitude outside the layout's image would show as missing mass.
        return max(worst, abs(1 - mass))
    }

    static func checkCoupling(_ result: RoutingResult, _ graph: CouplingGraph) {
        for op in result.circuit.operations {
            if case .gate(let g) = op, g.qubits.count == 2 {
                #expect(graph.areAdjacent(g.qubits[0], g.qubits[1]), "\(g.kind) on \(g.qubits) is not on a coupler")
            }
            if case .gate(let g) = op { #expect(g.qubits.count <= 2) }
        }
    }

    @Test func fixturesArePresent() {
        #expect(Self.fixtures.count == 50)
        #expect(Set(Self.fixtures.map(\.device)) == ["superconducting-27", "line-20"])
        #expect(Self.fixtures.map(\.qubits).min() == 5 && Self.fixtures.map(\.qubits).max() == 20)
    }

    @Test func routedStatesMatchAndSwapCountsAreNearQiskit() throws {
        var ours: [String: [Int]] = [:]
        var qiskit: [String: [Int]] = [:]
        for (index, fixture) in Self.fixtures.enumerated() {
            let device = try Self.device(fixture.device)
            let graph = try CouplingGraph(device: device)
            let circuit = try QASMParser.parse(fixture.qasm, fileName: fixture.name)
            let result = try SabreRouter(seed: UInt64(index)).route(circuit, on: device)
            Self.checkCoupling(result, graph)
            #expect(result.circuit.operations.filter { if case .gate(let g) = $0 { g.kind == .swap } else { false } }.count
                    == result.swapCount)
            #expect(Set(result.finalLayout).count == circuit.qubitCount)
            let distance = try Self.layoutDistance(circuit, result)
            #expect(distance < 1e-9, "\(fixture.name): routed state differs by \(distance)")
            ours[fixture.device, default: []].append(result.swapCount)
            qiskit[fixture.device, default: []].append(fixture.qiskitSwaps)
        }
        var totalOurs = 0, totalQiskit = 0
        for name in ours.keys.sorted() {
            let a = ours[name]!.reduce(0, +), b = qiskit[name]!.reduce(0, +)
            totalOurs += a
            totalQiskit += b
            print("routing \(name): \(ours[name]!.count) circuits, mean SWAPs ours \(Double(a) / Double(ours[name]!.count)), Qiskit SabreLayout \(Double(b) / Double(qiskit[name]!.count)), ratio \(Double(a) / Double(max(b, 1)))")
        }
        let ratio = Double(totalOurs) / Double(max(totalQiskit, 1))
        print("routing: SWAP ratio ours/Qiskit over all \(Self.fixtures.count) circuits = \(ratio)")
        // A sanity bound on the mean, not a race: SABRE's quality varies with seeds and trials.
        #expect(ratio <= 2)
    }

    @Test func loweringToTheDeviceBasisKeepsTheState() throws {
        var device = try Self.device("superconducting-27")
        device.enforceBasisGates = true
        let basis = Set(device.basisGates)
        for fixture in Self.fixtures.filter({ $0.device == "superconducting-27" && $0.qubits <= 12 }).prefix(6) {
            var circuit = try QASMParser.parse(fixture.qasm, fileName: fixture.name)
            // Gates the fixtures lack, so every rewrite rule runs.
            circuit.append(.ccx, [0, 1, 2])
            circuit.append(.cu, [3, 1], [0.3, -0.2, 1.1, 0.4])
            circuit.append(.rxx, [2, 4], [0.7])
            circuit.append(.cswap, [4, 0, 3])
            circuit.append(.cy, [1, 4])
            circuit.append(.u2, [2], [0.2, -1.3])
            let result = try SabreRouter(seed: 3).route(circuit, on: device)
            for op in result.circuit.operations {
                if case .gate(let g) = op { #expect(basis.contains(g.kind.rawValue), "\(g.kind) is outside the basis") }
            }
            Self.checkCoupling(result, try CouplingGraph(device: device))
            // The lowering keeps the global phase, so the states agree exactly, not only up to phase.
            let distance = try Self.layoutDistance(circuit, result)
            #expect(distance < 1e-9, "\(fixture.name): lowered state differs by \(distance)")
        }
    }

    @Test func basisWithoutCXIsRefused() throws {
        var device = try Self.device("trapped-ion-11")
        device.enforceBasisGates = true
        var circuit = QuantumCircuit(qubits: 3)
        circuit.append(.cx, [0, 2])
        #expect(throws: QuantumError.self) { try SabreRouter().route(circuit, on: device) }
        device.enforceBasisGates = false
        let result = try SabreRouter().route(circuit, on: device)
        #expect(result.swapCount == 0)
    }
}
