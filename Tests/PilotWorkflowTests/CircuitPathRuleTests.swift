import PilotWorkflow
import Testing

/// A workflow reads circuits only relative to its file or under {{workflow.dir}}.
struct CircuitPathRuleTests {
    static func workflow(circuit: String) -> String {
        """
        version: 1
        stages:
          c:
            motif: cutting
            circuit: \(circuit)
            max_fragment_qubits: 2
            observables: [ZZ]
        """
    }

    @Test(arguments: ["c.qasm", "circuits/wide12.qasm", "\"{{workflow.dir}}/circuits/c.qasm\"", "./c.qasm"])
    func allowed(_ path: String) throws {
        _ = try TestSupport.parse(Self.workflow(circuit: path))
    }

    @Test(arguments: [("/etc/passwd", "absolute path"), ("../secret.qasm", "'..'"), ("circuits/../../x.qasm", "'..'"),
                      ("~/c.qasm", "absolute path")])
    func refusedWithTheReason(_ path: String, _ reason: String) {
        let e = TestSupport.error(Self.workflow(circuit: path))
        #expect(e?.code == .invalidValue)
        #expect(e?.field == "stages.c.circuit")
        #expect(e?.message.contains(reason) == true, "\(e?.message ?? "no error")")
    }
}
