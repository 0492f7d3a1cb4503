import Foundation
import PilotCore
import PilotQuantum
import PilotStore

/// Turns the event journal of a server directory into calibration samples: every quantum task
/// attempt that finished, with the device and cores its `task_bound` record placed it on and
/// the start and end its `task_finished` record carries (the agent's clock).
struct JournalCalibration {
    var samples: [CalibrationSample] = []
    /// Median seconds from `task_bound` (manager) to the attempt's start (agent).
    var dispatchSeconds: Double?
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
        var bound: [Key: (at: Double, device: String?, cores: Int)] = [:]
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
                    let device = (object["qpu"] as? [String: Any])?["device"] as? String
                    let nodes = object["nodes"] as? [[String: Any]] ?? []
                    let cores = nodes.reduce(0) { $0 + (($1["cores"] as? [Any])?.count ?? 0) }
                    bound[key] = (r.at, device, cores)
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
            guard let deviceName = b.device else { out.skipped["not a quantum task", default: 0] += 1; continue }
            guard let device = byName[deviceName] else { out.skipped["device '\(deviceName)' has no profile", default: 0] += 1; continue }
            if jobs[key.task] == nil {
                let spec: TaskSpec?
                if let cached = specs[key.task] { spec = cached } else {
                    spec = (try? store.task(key.task)).flatMap { $0 }.flatMap { try? store.spec($0.specID) } ?? nil
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
        return out
    }

    /// Two-qubit gates of `circuit` routed onto `device` as the optimizer counts them (a SWAP is three).
    static func routedTwoQubitGates(_ circuit: QuantumCircuit, on device: QPUDeviceProfile) -> Int? {
        (try? SabreRouter(layoutTrials: 2, layoutIterations: 1).route(circuit, on: device))?.twoQubitGateCost
    }
}
