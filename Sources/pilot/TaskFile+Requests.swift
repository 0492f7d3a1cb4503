import PilotProtocol
import PilotWorkflow

extension TaskFile {
    /// Plain tasks go in one request; each array is its own (stored as one template).
    var requests: [SubmitRequest] {
        let plain = submissions.filter { $0.array == nil }.map(\.spec)
        var out = plain.isEmpty ? [] : [SubmitRequest(tasks: plain)]
        for s in submissions { if let a = s.array { out.append(SubmitRequest(array: ArraySubmission(template: s.spec, range: a))) } }
        return out
    }
}
