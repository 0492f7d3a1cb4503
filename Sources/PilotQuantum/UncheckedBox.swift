/// Carries a non-Sendable value (closure, buffer pointer, Process) across a concurrency boundary;
/// callers guarantee the concurrent uses touch disjoint data or are otherwise synchronised.
struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
