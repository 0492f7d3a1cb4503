/// One rank's part of swapping a global qubit with a local one (see
/// `DistributedStateVector.exchange`).
public struct GlobalQubitExchange: Sendable, Hashable, Codable {
    /// Rank to send to and receive from (they differ in exactly the global qubit's rank bit).
    public var partner: Int
    /// This rank sends its amplitudes whose local qubit equals `half` and overwrites them with
    /// the partner's amplitudes (which have the local qubit equal to 1 − half).
    public var half: Int
    /// Amplitudes sent and received: 2^(localQubits − 1).
    public var count: Int
}
