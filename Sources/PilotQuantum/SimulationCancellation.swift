import Foundation
import Synchronization

/// Stops a running simulation from outside: a flag the simulator checks between gates (and
/// between shots), so a cancelled quantum task gives back its cores and its state vector within
/// a gate's time rather than running to the end.
///
/// It reaches the kernels through the thread that runs the simulation (`run(_:)`), not through
/// every signature between the executor and `StateBuffer.apply`.
public final class SimulationCancellation: Sendable {
    private let flag = Atomic<Bool>(false)
    private static let key = "pilot.simulation-cancellation"

    public init() {}

    public func cancel() { flag.store(true, ordering: .relaxed) }
    public var isCancelled: Bool { flag.load(ordering: .relaxed) }

    /// The cancellation of the simulation running on this thread, if any.
    static var current: SimulationCancellation? {
        Thread.current.threadDictionary[key] as? SimulationCancellation
    }

    /// Runs `body` on this thread with this cancellation visible to the kernels.
    func run<T>(_ body: () throws(QuantumError) -> T) throws(QuantumError) -> T {
        let dictionary = Thread.current.threadDictionary
        dictionary[Self.key] = self
        defer { dictionary.removeObject(forKey: Self.key) }
        let value = try body()
        // Kernels stop early without throwing; whatever they left is not a result.
        if isCancelled { throw QuantumError(.cancelled, "the simulation was cancelled") }
        return value
    }
}
