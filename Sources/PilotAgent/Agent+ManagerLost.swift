import Foundation
import PilotProtocol

/// An agent whose manager is gone for good does not run forever: it stops its tasks, leaves their
/// outcomes in the log directory, and exits. The next agent started on this node with the same id
/// reports them in its hello, so the next manager collects results no one acknowledged.
extension Agent {
    var unreportedPath: String { "\(config.logDir)/unreported-\(config.uuid).json" }

    func abandonManager(away: Double) {
        guard !abandoning else { return }
        abandoning = true
        log.warning("no manager for \(Int(away)) s (--manager-lost-timeout): stopping \(running.count) running tasks and exiting; their outcomes go to \(unreportedPath)")
        waiting.removeAll()
        waitingKeys.removeAll()
        for (key, r) in running where r.stopReason == nil { kill(key, discarding: false, as: .drained) }
        finishAbandonIfDone()
    }

    /// Once every task has exited (their results read by then), the outcomes are written and the agent stops.
    func finishAbandonIfDone() {
        guard abandoning, running.isEmpty, !stopped, !writingUnreported else { return }
        writingUnreported = true
        Task {
            await writeUnreported()
            stop()
        }
    }

    /// Encoded here, written on a thread of its own: the agent's event loop does no file I/O.
    func writeUnreported() async {
        let list = unacked.values.sorted { ($0.key.task, $0.key.attempt) < ($1.key.task, $1.key.attempt) }
        let path = unreportedPath, log = self.log
        let data: Data
        do { data = try JSONCoding.encoder().encode(list) } catch {
            log.error("cannot encode \(list.count) unacknowledged outcomes: \(error); their tasks will run again")
            return
        }
        await Self.offLoop {
            guard !list.isEmpty else { try? FileManager.default.removeItem(atPath: path); return }
            do {
                let tmp = path + ".tmp"
                try data.write(to: URL(fileURLWithPath: tmp))
                _ = rename(tmp, path)
                log.info("\(list.count) unacknowledged outcomes written to \(path)")
            } catch {
                log.error("cannot write \(path): \(error); \(list.count) outcomes are lost and their tasks will run again")
            }
        }
    }

    /// Outcomes previous agents of this node and pilot left behind: reported in the first hello,
    /// like any result the manager has not acknowledged. A file is claimed by renaming it, so two
    /// agents starting at once never report the same one twice. Read off the event loop.
    func loadUnreported() async {
        let prefix = "unreported-" + config.uuidNodePrefix
        let dir = config.logDir, uuid = config.uuid, log = self.log
        let found: [[TaskOutcome]] = await Self.offLoop {
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [])
                .filter { $0.hasPrefix(prefix) && $0.hasSuffix(".json") }
            var lists: [[TaskOutcome]] = []
            for name in names {
                let path = "\(dir)/\(name)"
                let claimed = "\(dir)/claimed-\(uuid)-\(name)"
                guard rename(path, claimed) == 0 else { continue }
                defer { try? FileManager.default.removeItem(atPath: claimed) }
                guard let data = FileManager.default.contents(atPath: claimed), data.count <= 64 << 20,
                      let list = try? JSONCoding.decoder().decode([TaskOutcome].self, from: data) else {
                    log.warning("\(path) is not a list of task outcomes; ignored")
                    continue
                }
                log.info("\(list.count) outcomes left by a previous agent on this node (\(name)) will be reported to the manager")
                lists.append(list)
            }
            return lists
        }
        for list in found { for o in list where unacked[o.key] == nil { unacked[o.key] = o } }
    }

    static func offLoop<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { c in
            Thread.detachNewThread { c.resume(returning: body()) }
        }
    }
}
