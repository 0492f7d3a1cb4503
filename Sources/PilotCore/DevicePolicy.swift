/// How `qpu: auto` weighs time against fidelity when it picks a device for a task.
public enum DevicePolicy: String, Sendable, Codable, Hashable, CaseIterable {
    /// The device where the task is predicted to end first (its queue ahead included).
    case fastest
    /// The device with the highest estimated success probability; ties by end time.
    case fidelity
    /// The least expected time per successful run: predicted end ÷ estimated success probability.
    case balanced
}
