import Testing
@testable import PilotCore
@testable import PilotWorkflow

/// `max_fragment_qubits: auto` and `device: auto` in a cutting stage: read as the optimizer's
/// markers, and anything else that is not a width refused with the field and what is allowed.
@Suite struct AutoCuttingReaderTests {
    @Test func autoWidthAndDeviceAreRead() throws {
        let wf = try TestSupport.parse("""
            version: 1
            stages:
              c:
                motif: cutting
                circuit: {qubits: 4, depth: 2}
                max_fragment_qubits: auto
                device: auto
                observables: [ZZZZ]
            """)
        guard case .cutting(let c) = wf.stages[0].body else { Issue.record("not cutting"); return }
        #expect(c.maxFragmentQubits == CuttingStagePlan.autoFragmentQubits)
        #expect(c.device == CuttingStagePlan.autoDevice)
    }

    @Test func theGeneratedPlanIsAutoAndAsksForAnyDevice() throws {
        let wf = try TestSupport.parse("""
            version: 1
            stages:
              c: {motif: cutting, circuit: {qubits: 4, depth: 2}, max_fragment_qubits: 3, device: auto, observables: [ZZZZ]}
            """)
        guard case .cutting(let spec) = wf.stages[0].body else { Issue.record("not cutting"); return }
        let workload = MotifGenerator.cutting(wf.stages[0], spec, WorkflowContext(id: "1", dir: "/tmp", seed: 1))
        guard case .twoPhase(let two) = workload.plan, case .deferred(let plan) = two.fanOut else {
            Issue.record("not a deferred fan-out"); return
        }
        #expect(plan.isAuto)
        #expect(plan.maxFragmentQubits == 3)
        #expect(plan.qpu.device == nil)
    }

    @Test func aWordOtherThanAutoIsRefused() {
        let e = TestSupport.error("""
            version: 1
            stages:
              c: {motif: cutting, circuit: {qubits: 4, depth: 2}, max_fragment_qubits: many, observables: [ZZZZ]}
            """)
        #expect(e?.field == "stages.c.max_fragment_qubits")
        #expect(e?.message == "expected an integer between 1 and 1000, or auto (the optimizer chooses)")
    }
}
