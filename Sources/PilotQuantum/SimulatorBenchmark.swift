import Foundation

/// Times the state-vector simulation of a `RandomCircuit` (state allocation included).
public enum SimulatorBenchmark {
    public static func run(qubits: Int, depth: Int, threads: Int, seed: UInt64) -> (seconds: Double, gates: Int) {
        let circuit = RandomCircuit.make(qubits: qubits, depth: depth, seed: seed)
        let simulator = StateVectorSimulator(threads: threads)
        let start = DispatchTime.now().uptimeNanoseconds
        let state = try? simulator.prepareState(circuit)
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        withExtendedLifetime(state) {}
        return (elapsed, circuit.gateCount)
    }
}
