import PilotCore
import PilotQuantum

/// The circuit-execution ensemble as jobs and as tasks (the `ensemble` motif): circuit i uses seed
/// `seed + i`, its observables seeds derived from that, so any member can be regenerated alone.
public enum CircuitExecutionWorkload {
    public static func circuit(_ c: CircuitExecutionConfiguration, index: Int) -> QuantumCircuit {
        var circuit = RandomCircuit.make(qubits: c.qubits, depth: c.depth, seed: c.seed &+ UInt64(index))
        circuit.measureAll()
        return circuit
    }

    public static func observables(_ c: CircuitExecutionConfiguration, index: Int) -> [String] {
        (0..<c.observables).map { k in
            PauliString.random(qubits: c.qubits, weight: c.observableWeight,
                               seed: (c.seed &+ UInt64(index)) &* 7_919 &+ UInt64(k) &+ 1).label
        }
    }

    public static func jobs(_ c: CircuitExecutionConfiguration) throws(MiniAppError) -> [QuantumJob] {
        try c.validate()
        return (0..<c.circuits).map { i in
            QuantumJob(circuit: circuit(c, index: i).qasm(), shots: c.shots, seed: c.seed &* 1_000_003 &+ UInt64(i),
                       observables: observables(c, index: i), device: c.device)
        }
    }

    /// `.quantum` tasks on the device's QPU proxies, or `pilot kernel quantum` commands for `cpu`.
    public static func tasks(_ c: CircuitExecutionConfiguration, template: TaskSpec = TaskSpec(),
                             pilotExecutable: String = "pilot") throws(MiniAppError) -> [TaskSpec] {
        let factory = QuantumTaskFactory(device: c.device, template: template, pilotExecutable: pilotExecutable)
        var out: [TaskSpec] = []
        for (i, job) in try jobs(c).enumerated() { out.append(try factory.task(for: job, name: "circuit[\(i)]")) }
        return out
    }
}
