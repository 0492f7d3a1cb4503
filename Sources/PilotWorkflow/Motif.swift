/// The shape of coupling between a stage's tasks (see ARCHITECTURE.md, "Execution motifs").
public enum Motif: String, Sendable, Codable, Hashable, CaseIterable {
    case ensemble
    case coupled
    case cutting
    case iterative
    case pipeline
}
