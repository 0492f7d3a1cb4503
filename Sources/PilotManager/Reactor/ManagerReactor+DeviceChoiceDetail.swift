import PilotCore
import PilotProtocol

extension ManagerReactor {
    /// The `device_chosen` record's detail: the policy, and every device it ranked with the
    /// predictions it used, best first. A device with no lease predicted to free has a null wait.
    static func deviceChoiceDetail(_ c: DeviceChoice) -> String {
        struct Option: Encodable {
            var device: String
            var runtime: Double
            var wait: Double?
            var fidelity: Double
        }
        struct Detail: Encodable {
            var policy: String
            var device: String
            var predictedRuntime: Double
            var predictedFidelity: Double
            var options: [Option]
        }
        let d = Detail(policy: c.policy.rawValue, device: c.chosen.device, predictedRuntime: c.chosen.runtime,
                       predictedFidelity: c.chosen.fidelity,
                       options: c.ranked.map { Option(device: $0.device, runtime: $0.runtime, wait: $0.wait.isFinite ? $0.wait : nil,
                                                      fidelity: $0.fidelity) })
        return (try? String(decoding: APICoding.encoder().encode(d), as: UTF8.self)) ?? #"{"policy":"\#(c.policy.rawValue)"}"#
    }
}
