extension TaskSpec {
    /// The object `encode(to:)` writes through a plain `JSONEncoder` (the store's form), built by
    /// hand: every submitted task with a payload of its own (a quantum task's circuit) has its
    /// spec stored once, and the generic encoder cost more than the insert. Keys come in the
    /// order `encode(to:)` names them and slashes are not escaped; the decoder reads either.
    /// Nil for specs with dictionaries (`env`, `custom`) or estimates, left to the encoder.
    public var storeJSON: String? {
        guard environment.isEmpty, request.custom.isEmpty, qpuEstimates == nil else { return nil }
        var s = "{"
        var first = true
        func key(_ k: CodingKeys) {
            if !first { s += "," }
            first = false
            s += "\""
            s += k.rawValue
            s += "\":"
        }
        func string(_ k: CodingKeys, _ v: String) {
            key(k)
            JSONLiteral.appendString(v, to: &s)
        }
        if let name { string(.name, name) }
        if kind != .command { string(.kind, kind.rawValue) }
        if !command.isEmpty || kind == .command {
            key(.command)
            s += "["
            for (i, c) in command.enumerated() {
                if i > 0 { s += "," }
                JSONLiteral.appendString(c, to: &s)
            }
            s += "]"
        }
        if let payload { string(.payload, payload) }
        key(.cores)
        s += String(request.coresPerRank)
        if request.gpusPerRank > 0 { key(.gpus); s += String(request.gpusPerRank) }
        if request.memoryBytes > 0 { string(.mem, Self.sizeText(request.memoryBytes)) }
        if let q = request.qpu { string(.qpu, q.text) }
        if let p = request.pilot { string(.pilot, p) }
        if request.nodes != 1 { key(.nodes); s += String(request.nodes) }
        if request.ranksPerNode != 1 { key(.ranksPerNode); s += String(request.ranksPerNode) }
        if let t = timeRequest { string(.time, Self.durationText(t)) }
        if let t = timeLimit { string(.timeLimit, Self.durationText(t)) }
        if priority != 0 { key(.priority); s += String(priority) }
        if retries != 0 { key(.retries); s += String(retries) }
        if crashLimit != 3 { key(.crashLimit); s += String(crashLimit) }
        if let cwd = workingDirectory { string(.cwd, cwd) }
        if !captureOutput { key(.captureOutput); s += "false" }
        if let i = arrayIndex { key(.arrayIndex); s += String(i) }
        if !after.isEmpty {
            key(.after)
            s += "["
            for (i, x) in after.enumerated() {
                if i > 0 { s += "," }
                s += String(x)
            }
            s += "]"
        }
        if afterOk { key(.afterOk); s += "true" }
        s += "}"
        return s
    }
}
