import Foundation

/// Executes a job through an external program (`executor: {type: command}`).
///
/// The circuit is written to a temporary `circuit.qasm`; `{circuit}`, `{shots}`, `{seed}`,
/// `{qubits}` and `{observables}` are substituted in every argument; the program must print one
/// JSON object on stdout with `counts` ({"bitstring": n}) and/or `expectations` (a list of numbers
/// in the job's observable order, or of {"observable", "value", "standardError"} objects).
/// Missing standard errors are taken as √((1 − v²)/shots), or 0 for shots == 0.
enum CommandRunner {
    static func run(_ job: QuantumJob, argv: [String], timeout: Double?, circuit: QuantumCircuit,
                    observables: [PauliString], seed: UInt64) async throws(QuantumError) -> QPUExecutor.ExecutionOutcome {
        let (output, program) = try await execute(circuitText: job.circuit, argv: argv, timeout: timeout, shots: job.shots,
                                                  seed: seed, qubits: circuit.qubitCount, observables: observables.map(\.label))
        var result = try parse(output, program: program, job: job, observables: observables)
        result.qubits = circuit.qubitCount
        result.seed = seed
        return QPUExecutor.ExecutionOutcome(result: result, circuits: (result.counts.isEmpty ? 0 : 1) + observables.count)
    }

    /// One run of the command on one circuit: substitutes the placeholders, waits for the program
    /// (a child process, awaited through its termination handler, so no thread blocks on it) and
    /// returns what it printed with the program's name for messages. A non-zero exit is an error.
    static func execute(circuitText: String, argv: [String], timeout: Double?, shots: Int, seed: UInt64, qubits: Int,
                        observables: [String]) async throws(QuantumError) -> (output: Data, program: String) {
        let fm = FileManager.default
        let directory = fm.temporaryDirectory.appendingPathComponent("swiftpilot-qpu-\(UUID().uuidString)")
        do {
            try fm.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw QuantumError(.io, "cannot create a temporary directory for the command executor", cause: error)
        }
        defer { try? fm.removeItem(at: directory) }
        let circuitFile = directory.appendingPathComponent("circuit.qasm")
        let stdoutFile = directory.appendingPathComponent("stdout")
        let stderrFile = directory.appendingPathComponent("stderr")
        do {
            try circuitText.write(to: circuitFile, atomically: true, encoding: .utf8)
            _ = fm.createFile(atPath: stdoutFile.path, contents: nil)
            _ = fm.createFile(atPath: stderrFile.path, contents: nil)
        } catch {
            throw QuantumError(.io, "cannot write the circuit file for the command executor", cause: error)
        }

        let substitutions = [
            "{circuit}": circuitFile.path, "{shots}": String(shots), "{seed}": String(seed),
            "{qubits}": String(qubits), "{observables}": observables.joined(separator: ","),
        ]
        let arguments = argv.map { arg in
            substitutions.reduce(arg) { $0.replacingOccurrences(of: $1.key, with: $1.value) }
        }
        guard let program = arguments.first, let executable = resolve(program) else {
            throw QuantumError(.commandFailed, "command executor: program '\(argv.first ?? "")' not found")
        }

        let status = try await launch(executable, Array(arguments.dropFirst()), stdout: stdoutFile, stderr: stderrFile,
                                      timeout: timeout, name: program)
        let output = (try? Data(contentsOf: stdoutFile)) ?? Data()
        let errorText = String(decoding: (try? Data(contentsOf: stderrFile)) ?? Data(), as: UTF8.self)
        guard status == 0 else {
            throw QuantumError(.commandFailed,
                               "command '\(program)' exited with status \(status)\(tail(errorText).map { ": \($0)" } ?? "")")
        }
        return (output, program)
    }

    private static func tail(_ text: String) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { return nil }
        return String(trimmed.suffix(500))
    }

    static func resolve(_ program: String) -> URL? {
        let fm = FileManager.default
        if program.contains("/") {
            return fm.isExecutableFile(atPath: program) ? URL(fileURLWithPath: program) : nil
        }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            let candidate = "\(dir)/\(program)"
            if fm.isExecutableFile(atPath: candidate) { return URL(fileURLWithPath: candidate) }
        }
        return nil
    }

    private static func launch(_ executable: URL, _ arguments: [String], stdout: URL, stderr: URL,
                               timeout: Double?, name: String) async throws(QuantumError) -> Int32 {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        do {
            process.standardOutput = try FileHandle(forWritingTo: stdout)
            process.standardError = try FileHandle(forWritingTo: stderr)
        } catch {
            throw QuantumError(.io, "cannot open output files for command '\(name)'", cause: error)
        }
        let box = UncheckedBox(process)
        let timedOut = TimeoutFlag()
        let status: Result<Int32, QuantumError> = await withCheckedContinuation { continuation in
            process.terminationHandler = { finished in
                continuation.resume(returning: .success(finished.terminationStatus))
            }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(returning: .failure(QuantumError(.commandFailed, "cannot start command '\(name)'",
                                                                     cause: error)))
                return
            }
            if let timeout {
                DispatchQueue.global().asyncAfter(deadline: .now() + timeout) {
                    if box.value.isRunning {
                        timedOut.set()
                        box.value.terminate()
                    }
                }
            }
        }
        let code = try status.get()
        if timedOut.isSet {
            throw QuantumError(.commandFailed, "command '\(name)' did not finish within \(timeout ?? 0) s and was terminated")
        }
        return code
    }

    static func invalidOutput(_ program: String, _ reason: String) -> QuantumError {
        QuantumError(.commandOutput, "command '\(program)' printed invalid output: \(reason)")
    }

    /// The printed JSON, decoded; at least one of `counts` and `expectations` must be there.
    static func decode(_ data: Data, program: String) throws(QuantumError) -> CommandOutput {
        let output: CommandOutput
        do {
            output = try JSONDecoder().decode(CommandOutput.self, from: data)
        } catch let error as DecodingError {
            if case .dataCorrupted(let context) = error, context.codingPath.isEmpty {
                let preview = String(decoding: data.prefix(200), as: UTF8.self)
                throw QuantumError(.commandOutput, "command '\(program)' did not print JSON on stdout (got \"\(preview)\")",
                                   cause: error)
            }
            throw invalidOutput(program, CommandOutput.describe(error))
        } catch {
            throw invalidOutput(program, "\(error)")
        }
        guard output.counts != nil || output.expectations != nil else {
            throw invalidOutput(program, "expected a \"counts\" or \"expectations\" key")
        }
        return output
    }

    /// Count keys checked: bitstrings (the spaces of Qiskit's register-separated keys dropped), non-negative counts.
    static func checkedCounts(_ output: CommandOutput, program: String) throws(QuantumError) -> [String: Int] {
        var counts: [String: Int] = [:]
        for (key, n) in output.counts ?? [:] {
            let bits = key.contains(" ") ? key.filter { $0 != " " } : key
            guard !bits.isEmpty, bits.allSatisfy({ $0 == "0" || $0 == "1" }) else {
                throw invalidOutput(program, "count key \"\(key)\" is not a bitstring")
            }
            guard n >= 0 else { throw invalidOutput(program, "count for \"\(key)\" must be non-negative") }
            counts[bits, default: 0] += n
        }
        return counts
    }

    /// Expectation values in the requested order, clamped to [-1, 1]; a missing standard error is
    /// the binomial one for `shots` (0 when exact).
    static func checkedExpectations(_ list: [CommandOutput.Expectation], program: String, labels: [String],
                                    shots: Int) throws(QuantumError) -> [ExpectationValue] {
        guard list.count == labels.count else {
            throw invalidOutput(program, "\(list.count) expectation value(s) for \(labels.count) observable(s)")
        }
        var out: [ExpectationValue] = []
        for (i, item) in list.enumerated() {
            guard item.value.isFinite, item.value >= -1 - 1e-9, item.value <= 1 + 1e-9 else {
                throw invalidOutput(program, "expectation \(i) = \(item.value) is outside [-1, 1]")
            }
            if let e = item.standardError, !(e.isFinite && e >= 0) {
                throw invalidOutput(program, "standard error \(i) = \(e) must be a non-negative number")
            }
            let value = min(1, max(-1, item.value))
            let fallback = shots > 0 ? ((1 - value * value) / Double(shots)).squareRoot() : 0
            out.append(ExpectationValue(observable: labels[i], value: value, standardError: item.standardError ?? fallback))
        }
        return out
    }

    static func parse(_ data: Data, program: String, job: QuantumJob,
                      observables: [PauliString]) throws(QuantumError) -> QuantumResult {
        let output = try decode(data, program: program)
        let counts = try checkedCounts(output, program: program)
        var expectations: [ExpectationValue] = []
        if let list = output.expectations {
            expectations = try checkedExpectations(list, program: program, labels: observables.map(\.label), shots: job.shots)
        } else if !observables.isEmpty {
            throw invalidOutput(program, "no \"expectations\" for \(observables.count) requested observable(s)")
        }
        return QuantumResult(device: job.device, qubits: 0, shots: job.shots, seed: 0, counts: counts,
                             expectations: expectations,
                             timings: QuantumTimings(queueWaitSeconds: 0, executionSeconds: 0, totalSeconds: 0))
    }
}
