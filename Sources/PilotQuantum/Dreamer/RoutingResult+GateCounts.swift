extension RoutingResult {
    /// Two-qubit gates of the routed circuit as the performance model counts them: a SWAP (or a
    /// gate on three qubits) is three, as a device would run it in CX.
    public var twoQubitGateCost: Int {
        var count = 0
        for case .gate(let g) in circuit.operations where g.qubits.count >= 2 {
            count += g.kind == .swap || g.qubits.count == 3 ? 3 : 1
        }
        return count
    }
}
