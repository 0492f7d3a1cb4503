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
                do { rs.append(try JSONDecoder().decode(QuantumResult.self, from: Data(contentsOf: URL(fileURLWithPath: f)))) } catch {
                    throw CLIError("\(f): missing or malformed sub-experiment result: \(error)")
                }
            }
            let values: [ExpectationValue]
            do { values = try CircuitCutter.reconstruct(p, results: rs) } catch { throw CLIError("reconstruction failed: \(error)") }
            let exactValues = exact.flatMap { try? JSONDecoder().decode([Double].self, from: Data(contentsOf: URL(fileURLWithPath: $0))) }
            let summary = CutResult(observables: p.observables, values: values.map(\.value), standardErrors: values.map(\.standardError),
                                    exact: exactValues, cuts: p.cuts.count, fragments: p.fragments.count,
                                    subexperiments: p.subexperiments.count)
            let e = JSONEncoder()
            e.outputFormatting = [.sortedKeys]
            let data = try e.encode(summary)
            if let out { try data.write(to: URL(fileURLWithPath: out)) }
            print(String(decoding: data, as: UTF8.self))
        }
    }

    struct Quantum: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run one quantum job on the embedded simulator and print its result JSON.")
        @Option(help: "The job (QuantumJob JSON).") var job: String
        @Option(help: "Device profile YAML (default: the job's device from Profiles/qpu).") var deviceProfile: String?
        @Option(help: "Simulator threads (default: $OMP_NUM_THREADS or 1).") var threads: Int?

        func run() async throws {
            let j: QuantumJob
            do { j = try JSONDecoder().decode(QuantumJob.self, from: Data(contentsOf: URL(fileURLWithPath: job))) } catch {
                throw CLIError("\(job): not a quantum job: \(error)")
            }
            let path = deviceProfile ?? ProjectFiles.find("Profiles").map { "\($0)/qpu/\(j.device).yaml" } ?? ""
            let device: QPUDeviceProfile
            do { device = try QPUDeviceProfile.load(path: path) } catch { throw CLIError("\(error)") }
            let n = threads ?? ProcessInfo.processInfo.environment["OMP_NUM_THREADS"].flatMap(Int.init) ?? 1
            do {
                let r = try await QPUExecutor.run(j, on: device, threads: n)
                print(String(decoding: try r.jsonData(), as: UTF8.self))
            } catch { throw CLIError("\(error)") }
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
}
