import ArgumentParser
import Foundation
import PilotQuantum

/// Built-in kernels run as ordinary command tasks: the CPU path of the quantum mini-apps, where a
/// job runs on the cores a task is bound to instead of behind a QPU-proxy lease.
struct KernelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kernel", abstract: "Run a built-in kernel in this process.", subcommands: [Quantum.self])

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
            print(String(decoding: try result.jsonData(), as: UTF8.self))
        }
    }
}
