import Foundation
@testable import PilotQuantum
import Testing

/// PUB jobs on `command` devices: the bound circuits and arguments the command gets, counts split
/// per register, printed expectation values, the counts-only basis-rotation path, and failures
/// naming the PUB. The commands are shell scripts that record what they were given, so each test
/// sees exactly what crossed the process boundary. (A real simulator as the command, against the
/// embedded executor, is in Clients/python/tests/test_command_device.py.)
@Suite struct PUBCommandExecutorTests {
    final class Scratch {
        let dir: URL
        init() throws {
            dir = FileManager.default.temporaryDirectory.appendingPathComponent("pub-cmd-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        }
        deinit { try? FileManager.default.removeItem(at: dir) }

        /// A script that appends its arguments and circuit to `calls`, then runs `body`.
        func script(_ body: String) throws -> String {
            let url = dir.appendingPathComponent("qpu.sh")
            let text = """
            #!/bin/sh
            log="\(dir.path)/calls"
            echo "ARGS $2 $3 $4 [$5]" >> "$log"
            cat "$1" >> "$log"
            echo "END" >> "$log"
            \(body)
            """
            try text.write(to: url, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
            return url.path
        }

        /// Each call: its argument line and the circuit text it was handed.
        var calls: [(args: String, circuit: String)] {
            let text = (try? String(contentsOf: dir.appendingPathComponent("calls"), encoding: .utf8)) ?? ""
            var out: [(String, String)] = []
            var args = ""
            var circuit = ""
            for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
                if line.hasPrefix("ARGS ") { args = String(line.dropFirst(5)); circuit = "" }
                else if line == "END" { out.append((args, circuit)) }
                else { circuit += line + "\n" }
            }
            return out
        }
    }

    static func device(_ path: String) -> QPUDeviceProfile {
        QPUDeviceProfile(name: "ext", qubits: 4,
                         executor: .command(argv: [path, "{circuit}", "{shots}", "{seed}", "{qubits}", "{observables}"],
                                            timeoutSeconds: 30))
    }

    static let twoRegisters = """
        OPENQASM 3.0;
        include "stdgates.inc";
        input float[64] a;
        qubit[3] q;
        bit[1] flag;
        bit[2] pair;
        rx(a) q[0];
        cx q[0], q[1];
        flag[0] = measure q[2];
        pair[0] = measure q[0];
        pair[1] = measure q[1];
        """

    @Test func samplerBindsEachBindingAndSplitsCountsPerRegister() async throws {
        let s = try Scratch()
        // Three classical bits: flag is bit 0 (rightmost), pair bits 1-2. Qiskit-style spaced keys too.
        let path = try s.script(#"echo '{"counts": {"110": 7, "00 0": 3, "1": 2}}'"#)
        let job = try PUBJob.parse("""
            {"primitive": "sampler", "seed": 5, "pubs": [{"circuit": \(PUBJobTests.quote(Self.twoRegisters)),
             "parameter_values": [[0.25], [1.5]], "shots": 12}]}
            """)
        let r = try await PUBExecutor.run(job, on: Self.device(path), threads: 1, latencyScale: 0)
        let pub = r.pubs[0]
        #expect(pub.shape == [2])
        #expect(pub.registers?.map(\.name) == ["flag", "pair"])
        #expect(pub.counts?.count == 2)
        #expect(pub.counts?[0]["flag"] == ["0": 10, "1": 2])
        #expect(pub.counts?[0]["pair"] == ["11": 7, "00": 5])
        #expect(pub.jointCounts?[1] == ["11 0": 7, "00 0": 3, "00 1": 2])
        let calls = s.calls
        #expect(calls.count == 2)
        // Shots, a seed per binding, the width, no observables; the circuit bound, not parameterised.
        #expect(calls.allSatisfy { $0.args.hasPrefix("12 ") && $0.args.hasSuffix(" 3 []") })
        #expect(calls[0].args != calls[1].args)
        #expect(calls[0].circuit.contains("rx(0.25) q[0];"))
        #expect(calls[1].circuit.contains("rx(1.5) q[0];"))
        #expect(!calls[0].circuit.contains("input"))
        #expect(calls[0].circuit.contains("measure q[2] -> flag[0];"))
    }

    @Test func estimatorUsesPrintedExpectationValuesWithCoefficients() async throws {
        let s = try Scratch()
        // One value per requested term, in order; the second with its own standard error.
        let path = try s.script(#"echo '{"expectations": [0.5, {"value": -0.25, "standardError": 0.02}]}'"#)
        let job = try PUBJob.parse("""
            {"primitive": "estimator", "shots": 400, "pubs": [{"circuit": \(PUBJobTests.quote(PUBJobTests.parameterized)),
             "parameter_values": [0.1, 0.2], "observables": [[["ZZ", 2.0], ["XI", -1.0], ["II", 0.5]]]}]}
            """)
        let r = try await PUBExecutor.run(job, on: Self.device(path), threads: 1, latencyScale: 0)
        let pub = r.pubs[0]
        #expect(pub.shape == [1])
        #expect(abs(pub.evs![0] - (2.0 * 0.5 - 1.0 * -0.25 + 0.5)) < 1e-12)
        // ZZ had no error printed: the binomial one for 400 shots.
        let zz = (0.75 / 400).squareRoot()
        #expect(abs(pub.stds![0] - (4 * zz * zz + 0.02 * 0.02).squareRoot()) < 1e-12)
        #expect(pub.shots == 400)
        let calls = s.calls
        #expect(calls.count == 1)
        #expect(calls[0].args.hasPrefix("400 ") && calls[0].args.hasSuffix(" 2 [ZZ,XI]"))
        // The unitary part only: the estimator's circuit is measured by the command, not by us.
        #expect(!calls[0].circuit.contains("measure"))
        #expect(calls[0].circuit.contains("rx(0.1) q[0];"))
    }

    @Test func countsOnlyCommandsGetOneBasisRotatedRunPerTerm() async throws {
        let s = try Scratch()
        // Counts over two measured qubits whatever the circuit: qubit 0 is 1 in 3 of 4 shots and
        // qubit 1 always 0.
        let path = try s.script(#"echo '{"counts": {"01": 60, "00": 20}}'"#)
        let job = try PUBJob.parse("""
            {"primitive": "estimator", "shots": 80, "pubs": [{"circuit": \(PUBJobTests.quote(PUBJobTests.parameterized)),
             "parameter_values": [[[0.1, 0.2]], [[0.3, 0.4]]], "observables": ["IZ", "XY"]}]}
            """)
        let r = try await PUBExecutor.run(job, on: Self.device(path), threads: 1, latencyScale: 0)
        let pub = r.pubs[0]
        #expect(pub.shape == [2, 2])
        // IZ: parity of qubit 0 → (20 − 60) / 80 = −0.5. XY: parity of both → the same.
        for v in pub.evs! { #expect(abs(v - -0.5) < 1e-12) }
        for e in pub.stds! { #expect(abs(e - (0.75 / 80).squareRoot()) < 1e-12) }
        let calls = s.calls
        // Binding 0: the observable run (answered with counts), then IZ and XY rotated; binding 1
        // goes straight to the two rotated runs.
        #expect(calls.count == 5)
        #expect(calls[0].args.hasSuffix(" [IZ,XY]"))
        let rotated = calls.dropFirst()
        #expect(rotated.allSatisfy { $0.args.hasSuffix(" 2 []") && $0.circuit.contains("creg meas[2];") })
        // XY: S† then H on qubit 0 (Y), H on qubit 1 (X), after the circuit's own gates.
        let xy = try #require(rotated.first { $0.circuit.contains("sdg q[0];") })
        #expect(xy.circuit.contains("h q[1];"))
        #expect(xy.circuit.contains("measure q[0] -> meas[0];") && xy.circuit.contains("measure q[1] -> meas[1];"))
    }

    @Test func exactEstimateFromACountsOnlyCommandIsRefusedNamingThePUB() async throws {
        let s = try Scratch()
        let path = try s.script(#"echo '{"counts": {"0": 1}}'"#)
        let job = try PUBJob.parse("""
            {"primitive": "estimator", "pubs": [{"circuit": \(PUBJobTests.quote(PUBJobTests.parameterized)),
             "parameter_values": [0.1, 0.2], "observables": ["ZZ"]}]}
            """)
        do {
            _ = try await PUBExecutor.run(job, on: Self.device(path), threads: 1, latencyScale: 0)
            Issue.record("expected the exact estimate to be refused")
        } catch {
            #expect(error.code == .commandOutput)
            #expect(error.field == "pubs[0]")
            #expect(error.description.contains("exact"), "\(error)")
        }
    }

    @Test func aFailingRunFailsTheJobNamingPUBAndBinding() async throws {
        let s = try Scratch()
        // The second PUB's second binding fails: the command sees rx(0.7).
        let path = try s.script("""
            if grep -q 'rx(0.7)' "$1"; then echo 'device offline' >&2; exit 3; fi
            echo '{"counts": {"00": 4}}'
            """)
        let circuit = PUBJobTests.quote("""
            OPENQASM 3.0;
            include "stdgates.inc";
            input float[64] a;
            qubit[2] q;
            bit[2] c;
            rx(a) q[0];
            c = measure q;
            """)
        let job = try PUBJob.parse("""
            {"primitive": "sampler", "shots": 4, "pubs": [{"circuit": \(circuit), "parameter_values": [0.1]},
             {"circuit": \(circuit), "parameter_values": [[[0.2], [0.7]]]}]}
            """)
        do {
            _ = try await PUBExecutor.run(job, on: Self.device(path), threads: 1, latencyScale: 0)
            Issue.record("expected the failing run to fail the job")
        } catch {
            #expect(error.code == .commandFailed)
            #expect(error.description == "pubs[1]: command '\(path)' exited with status 3: device offline (PUB 1, binding 0,1)")
        }
    }

    @Test func aCountKeyWiderThanTheCircuitIsInvalidOutput() async throws {
        let s = try Scratch()
        let path = try s.script(#"echo '{"counts": {"1111": 4}}'"#)
        let job = try PUBJob.parse("""
            {"primitive": "sampler", "shots": 4, "pubs": [{"circuit": \(PUBJobTests.quote(Self.twoRegisters)), "parameter_values": [0.1]}]}
            """)
        do {
            _ = try await PUBExecutor.run(job, on: Self.device(path), threads: 1, latencyScale: 0)
            Issue.record("expected invalid output")
        } catch {
            #expect(error.code == .commandOutput)
            #expect(error.message.contains("count key \"1111\" has 4 bits but the circuit has 3 classical bits"), "\(error)")
            #expect(error.field == "pubs[0]")
        }
    }
}
