import Foundation

/// The two shapes a quantum task's payload takes: the single-circuit `QuantumJob` (mini-apps,
/// workflows, `pilot submit --circuit`) and the `PUBJob` of Qiskit-style primitives. A payload
/// with a top-level `pubs` key is a PUB job.
public enum QuantumPayload {
    private struct Probe: Decodable {
        var isPUBJob: Bool
        private enum CodingKeys: String, CodingKey { case pubs }
        init(from decoder: any Decoder) throws {
            isPUBJob = try decoder.container(keyedBy: CodingKeys.self).contains(.pubs)
        }
    }

    public static func isPUBJob(_ text: String) -> Bool {
        (try? JSONDecoder().decode(Probe.self, from: Data(text.utf8)).isPUBJob) ?? false
    }
}
