import Foundation
import PilotCore
import PilotQuantum

/// Turns a `QuantumJob` into a `TaskSpec`: a `.quantum` task leasing a QPU-proxy slot on a device,
/// or, for `device == "cpu"`, a plain command running the embedded simulator through
/// `pilot kernel quantum` on the cores the task is bound to.
public struct QuantumTaskFactory: Sendable, Hashable {
    /// A device name, `any` (any QPU proxy), or `cpu`.
    public var device: String
    /// Stage settings (time, priority, retries, an explicit `qpu` selector) every task starts from.
    public var template: TaskSpec
    /// How CPU tasks call the kernel; the binary must be on the agents' PATH or absolute.
    public var pilotExecutable: String

    public init(device: String, template: TaskSpec = TaskSpec(), pilotExecutable: String = "pilot") {
        self.device = device
        self.template = template
        self.pilotExecutable = pilotExecutable
    }

    public var isCPU: Bool { device == "cpu" }

    public func task(for job: QuantumJob, name: String? = nil) throws(MiniAppError) -> TaskSpec {
        var t = template
        if let name { t.name = name }
        var job = job
        if isCPU {
            job.device = "cpu"
            t.kind = .command
            t.payload = nil
            t.command = [pilotExecutable, "kernel", "quantum", "--job-json", try Self.json(job)]
        } else {
            let selector = leaseSelector(t)
            job.device = selector.device ?? ""
            t = try quantumTask(t, selector, payload: Self.json(job))
        }
        return t
    }

    /// An explicit selector from the stage wins; "any" and "auto[:POLICY]" leave the device to the
    /// lease, and the executor accepts a job naming no device on whichever it gets.
    private func leaseSelector(_ t: TaskSpec) -> QPUSelector {
        t.request.qpu ?? (try? QPUSelector(parsing: device)) ?? QPUSelector(device: device == "any" ? nil : device)
    }

    private func quantumTask(_ template: TaskSpec, _ selector: QPUSelector, payload: String) throws(MiniAppError) -> TaskSpec {
        var t = template
        t.request.qpu = selector
        t.kind = .quantum
        t.command = []
        t.payload = payload
        return t
    }

    /// A task running the evaluations `slice` of a batched round as one estimator PUB job.
    public func task(for batch: RoundBatch, _ slice: Range<Int>, seed: UInt64, name: String? = nil) throws(MiniAppError) -> TaskSpec {
        var t = template
        if let name { t.name = name }
        let selector = leaseSelector(t)
        return try quantumTask(t, selector, payload: batch.pubJobJSON(slice, device: selector.device, seed: seed))
    }

    static func json(_ job: QuantumJob) throws(MiniAppError) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        do {
            return String(decoding: try encoder.encode(job), as: UTF8.self)
        } catch {
            throw MiniAppError(.io, "cannot encode the quantum job", cause: error)
        }
    }

    /// Decodes a PUB task's result JSON.
    public static func pubResult(from json: String?) throws(MiniAppError) -> PUBJobResult {
        guard let json, !json.isEmpty else { throw MiniAppError(.badResult, "the task returned no result") }
        do {
            return try PUBJobResult.read(Data(json.utf8))
        } catch {
            throw MiniAppError(.badResult, "the task result is not a PUB job result", cause: error)
        }
    }

    /// Decodes a task's result JSON (what the quantum kernel returns).
    public static func result(from json: String?) throws(MiniAppError) -> QuantumResult {
        guard let json, !json.isEmpty else { throw MiniAppError(.badResult, "the task returned no result") }
        do {
            return try QuantumResult.decode(Data(json.utf8))
        } catch {
            throw MiniAppError(.badResult, "the task result is not a QuantumResult", cause: error)
        }
    }
}
