import ArgumentParser
import Foundation
import PilotQuantum

/// Built-in task payloads, run as ordinary processes by agents (so they are pinned and logged like
/// any task). Not meant to be typed by hand.
struct KernelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kernel", abstract: "Built-in task kernels (used by workflows).",
        subcommands: [Reconstruct.self, Quantum.self])

    struct Reconstruct: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Fan-in of a cutting stage: reconstruct expectation values from sub-experiment results.")
        @Option(help: "The cut plan (plan.json).") var plan: String
        @Option(help: "Directory with sub-<k>.json results.") var results: String
        @Option(help: "Exact values (exact.json), to report the error.") var exact: String?
        @Option(help: "Where to write the result JSON.") var out: String?

        func run() async throws {
            let p: CutPlan
            do { p = try JSONDecoder().decode(CutPlan.self, from: Data(contentsOf: URL(fileURLWithPath: plan))) } catch {
                throw CLIError("\(plan): not a cut plan: \(error)")
            }
            var rs: [QuantumResult] = []
            for k in p.subexperiments.indices {
                let f = "\(results)/sub-\(k).json"
                do { rs.append(try QuantumResult.decode(Data(contentsOf: URL(fileURLWithPath: f)))) } catch {
                    throw CLIError("\(f): missing or malformed sub-experiment result: \(error)")
                }
            }
            let values: [ExpectationValue]
            do { values = try CircuitCutter.reconstruct(p, results: rs) } catch { throw CLIError("reconstruction failed: \(error)") }
            let exactValues = exact.flatMap { try? JSONDecoder().decode([Double].self, from: Data(contentsOf: URL(fileURLWithPath: $0))) }
            var summary = CutResult(observables: p.observables, values: values.map(\.value), standardErrors: values.map(\.standardError),
                                    exact: exactValues, cuts: p.cuts.count, fragments: p.fragments.count,
                                    subexperiments: p.subexperiments.count, gateCuts: p.gateCuts.count,
                                    samplingOverhead: p.samplingOverhead)
            // An optimizer-planned stage: its choice and predicted makespan, and the makespan measured
            // from the plan (its sub-experiments' submission) to this reconstruction's end.
            let dreamerFile = URL(fileURLWithPath: plan).deletingLastPathComponent().appendingPathComponent("dreamer.json")
            if let data = try? Data(contentsOf: dreamerFile),
               let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] {
                summary.plan = object["plan"] as? String
                summary.predictedMakespan = object["predicted_makespan"] as? Double
                summary.devices = object["devices"] as? [String]
                if let at = object["planned_at"] as? Double { summary.measuredMakespan = Date().timeIntervalSince1970 - at }
            }
            let e = JSONEncoder()
            e.keyEncodingStrategy = .convertToSnakeCase
            e.outputFormatting = [.sortedKeys]
            let data = try e.encode(summary)
            if let out { try data.write(to: URL(fileURLWithPath: out)) }
            if let f = ProcessInfo.processInfo.environment["PILOT_RESULT_FILE"] { try? data.write(to: URL(fileURLWithPath: f)) }
            print(String(decoding: data, as: UTF8.self))
        }
    }

    struct Quantum: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a QuantumJob on the embedded simulator and print its QuantumResult JSON.")
        @Option(help: "Job JSON file ('-' for standard input).") var job: String?
        @Option(name: .customLong("job-json"), help: "The job JSON itself.") var jobJSON: String?
        @Option(name: .customLong("device-profile"), help: "Device profile YAML (noise, latency); default: ideal, no latency.")
        var deviceProfile: String?
        @Option(help: "Simulator threads (default: $OMP_NUM_THREADS, else 1).") var threads: Int?
        @Option(name: .customLong("latency-scale"), help: "Scale of the profile's modelled latency.") var latencyScale = 1.0

        func run() async throws {
            let text: Data
            switch (job, jobJSON) {
            case (let path?, nil):
                text = path == "-" ? FileHandle.standardInput.readDataToEndOfFile()
                    : try Data(contentsOf: URL(fileURLWithPath: path))
            case (nil, let json?): text = Data(json.utf8)
            default: throw CLIError("give exactly one of --job FILE or --job-json JSON")
            }
            var decoded: QuantumJob
            do { decoded = try JSONDecoder().decode(QuantumJob.self, from: text) } catch {
                throw CLIError("the job is not a QuantumJob: \(error)")
            }
            let device = try deviceProfile.map { p throws(QuantumError) in try QPUDeviceProfile.load(path: p) }
                ?? QPUDeviceProfile(name: decoded.device.isEmpty ? "cpu" : decoded.device, qubits: 30)
            // The profile given here is the device this CPU task emulates, whatever the job was built for.
            if deviceProfile != nil { decoded.device = device.name }
            let n = threads ?? ProcessInfo.processInfo.environment["OMP_NUM_THREADS"].flatMap(Int.init) ?? 1
            let result = try await QPUExecutor.run(decoded, on: device, threads: max(1, n), latencyScale: latencyScale)
            let json = try result.jsonData()
            print(String(decoding: json, as: UTF8.self))
            // Hand the result back through the agent, so drivers and workflows see CPU runs too.
            if let f = ProcessInfo.processInfo.environment["PILOT_RESULT_FILE"] { try? json.write(to: URL(fileURLWithPath: f)) }
        }
    }
}

/// What a cutting stage reports: reconstructed values against the exact ones.
struct CutResult: Codable {
    var observables: [String]
    var values: [Double]
    var standardErrors: [Double]
    var exact: [Double]?
    var cuts: Int
    var fragments: Int
    var subexperiments: Int
    var gateCuts: Int?
    var samplingOverhead: Double?
    /// Set for a stage the cutting optimizer planned (`max_fragment_qubits: auto` / `device: auto`).
    var plan: String?
    var predictedMakespan: Double?
    var measuredMakespan: Double?
    var devices: [String]?
}
