import Foundation
import PilotCore
import PilotQuantum
import PilotStore

/// Turns the event journal of a server directory into calibration samples: every quantum task
/// attempt that finished, with the device and cores its `task_bound` record placed it on and
/// the start and end its `task_finished` record carries (the agent's clock).
struct JournalCalibration {
    var samples: [CalibrationSample] = []
    /// Workflow fan-ins (`pilot kernel reconstruct --plan FILE`) with their plan's size.
    var reconstructions: [PerformanceModel.ReconstructionSample] = []
    /// Median seconds from `task_bound` (manager) to the attempt's start (agent).
    var dispatchSeconds: Double?
    /// Median seconds a device slot stays taken after a task ends before the next task waiting for
    /// it starts, less the dispatch time: the end's report and commit, the lease's release and the
    /// next binding. Measured on consecutive tasks of one slot where the later one was bound only
    /// after the earlier one ended (it waited for the slot).
    var releaseSeconds: Double?
    /// Finished attempts that could not be used, by reason (a command task, no device, a bad payload).
    var skipped: [String: Int] = [:]

    static func read(serverDir: String, profiles: [QPUDeviceProfile]) throws -> JournalCalibration {
        let file = serverDir + "/" + PilotStore.fileName
        guard FileManager.default.fileExists(atPath: file) else {
            throw DreamerError(.calibration, "\(serverDir): no store (\(PilotStore.fileName)) to calibrate from")
        }
        let store: PilotStore
        do { store = try PilotStore(directory: serverDir) } catch {
            throw DreamerError(.calibration, "\(file): cannot open the store", cause: error)
        }
        let byName = Dictionary(profiles.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        struct Key: Hashable { var task: Int64; var attempt: Int }
        var bound: [Key: (at: Double, device: String?, slot: Int?, cores: Int)] = [:]
        var ended: [(Key, started: Double, ended: Double)] = []
        var since: Int64 = 0
        let kinds: Set<JournalKind> = [.taskBound, .taskFinished]
        while true {
            let page: [JournalRecord]
            do { page = try store.journal(since: since, limit: 10_000, filter: .init(kinds: kinds)) } catch {
                throw DreamerError(.calibration, "\(file): cannot read the journal", cause: error)
            }
            for r in page {
                guard let task = r.task, let detail = r.detail,
                      let object = try? JSONSerialization.jsonObject(with: Data(detail.utf8)) as? [String: Any] else { continue }
                let key = Key(task: task, attempt: r.attempt ?? 0)
                if r.kind == .taskBound {
                    let qpu = object["qpu"] as? [String: Any]
                    let device = qpu?["device"] as? String
                    let slot = (qpu?["slots"] as? [Any])?.first as? Int
                    let nodes = object["nodes"] as? [[String: Any]] ?? []
                    let cores = nodes.reduce(0) { $0 + (($1["cores"] as? [Any])?.count ?? 0) }
                    bound[key] = (r.at, device, slot, cores)
                } else if let s = object["started"] as? Double, let e = object["ended"] as? Double {
                    ended.append((key, s, e))
                }
            }
            guard let last = page.last, page.count == 10_000 else { break }
            since = last.seq
        }
        var out = JournalCalibration()
        var gaps: [Double] = []
        var specs: [Int64: TaskSpec?] = [:]
        var jobs: [Int64: QuantumJob?] = [:]
        var parsed: [String: QuantumCircuit] = [:]
        var routedGates: [String: Int?] = [:]
        for (key, started, endedAt) in ended {
            guard let b = bound[key] else { out.skipped["no task_bound record", default: 0] += 1; continue }
            gaps.append(started - b.at)
            guard let deviceName = b.device else {
                if let r = Self.reconstruction(store: store, task: key.task, seconds: endedAt - started) {
                    out.reconstructions.append(r)
                } else {
                    out.skipped["not a quantum task", default: 0] += 1
                }
                continue
            }
            guard let device = byName[deviceName] else { out.skipped["device '\(deviceName)' has no profile", default: 0] += 1; continue }
            if jobs[key.task] == nil {
                let spec: TaskSpec?
                if let cached = specs[key.task] { spec = cached } else {
                    let row = (try? store.task(key.task)) ?? nil
                    spec = row.flatMap { (try? store.spec($0.specID)) ?? nil }
                    specs[key.task] = spec
                }
                jobs[key.task] = spec?.payload.flatMap { try? JSONDecoder().decode(QuantumJob.self, from: Data($0.utf8)) }
            }
            guard let job = jobs[key.task] ?? nil else { out.skipped["no quantum job payload", default: 0] += 1; continue }
            let circuit: QuantumCircuit
            if let c = parsed[job.circuit] { circuit = c } else {
                guard let c = try? QASMParser.parse(job.circuit, fileName: "task \(key.task)") else {
                    out.skipped["circuit does not parse", default: 0] += 1; continue
                }
                parsed[job.circuit] = c
                circuit = c
            }
            let routeKey = deviceName + "\u{0}" + job.circuit
            if routedGates[routeKey] == nil { routedGates[routeKey] = Self.routedTwoQubitGates(circuit, on: device) }
            let features = TaskFeatures.of(circuit, observables: job.observables, shots: job.shots, on: device,
                                           threads: max(1, b.cores), routedTwoQubitGates: routedGates[routeKey] ?? nil)
            out.samples.append(CalibrationSample(device: deviceName, features: features, seconds: endedAt - started))
        }
        let positive = gaps.filter { $0 >= 0 }.sorted()
        if !positive.isEmpty { out.dispatchSeconds = positive[positive.count / 2] }
        // Slot turnaround: consecutive attempts on one device slot, the later bound after the earlier ended.
        var bySlot: [String: [(boundAt: Double, started: Double, ended: Double)]] = [:]
        for (key, started, endedAt) in ended {
            guard let b = bound[key], let d = b.device, let slot = b.slot else { continue }
            bySlot["\(d)#\(slot)", default: []].append((b.at, started, endedAt))
        }
        var turnarounds: [Double] = []
        for (_, runs) in bySlot {
            let sorted = runs.sorted { $0.started < $1.started }
            for (a, b) in zip(sorted, sorted.dropFirst()) where b.boundAt >= a.ended && b.started - a.ended < 1 {
                turnarounds.append(b.started - a.ended)
            }
        }
        if !turnarounds.isEmpty {
            let t = turnarounds.sorted()[turnarounds.count / 2]
            out.releaseSeconds = max(0, t - (out.dispatchSeconds ?? 0))
        }
        return out
    }

    /// A cutting stage's fan-in: its plan file (named by `--plan` in its command) gives the terms.
    static func reconstruction(store: PilotStore, task: Int64, seconds: Double) -> PerformanceModel.ReconstructionSample? {
        guard let row = (try? store.task(task)) ?? nil, let spec = (try? store.spec(row.specID)) ?? nil,
              spec.command.contains("reconstruct"), let i = spec.command.firstIndex(of: "--plan"), i + 1 < spec.command.count,
              let data = FileManager.default.contents(atPath: spec.command[i + 1]),
              let plan = try? JSONDecoder().decode(CutPlan.self, from: data) else { return nil }
        return .init(terms: plan.reconstructionTerms, observables: plan.observables.count, seconds: seconds)
    }

    /// Two-qubit gates of `circuit` routed onto `device` as the optimizer counts them (a SWAP is three).
    static func routedTwoQubitGates(_ circuit: QuantumCircuit, on device: QPUDeviceProfile) -> Int? {
        (try? SabreRouter(layoutTrials: 2, layoutIterations: 1).route(circuit, on: device))?.twoQubitGateCost
    }
}
