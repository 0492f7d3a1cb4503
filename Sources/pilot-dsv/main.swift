import Foundation
import PilotQuantum

// pilot-dsv: one circuit, state vector split over the MPI ranks; see DistributedSimulation.

func loadCircuit(_ options: DSVOptions) throws(DSVError) -> QuantumCircuit {
    guard let path = options.circuitPath else {
        return RandomCircuit.make(qubits: options.qubits, depth: options.depth, seed: options.seed)
    }
    let text: String
    do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
        throw DSVError(.io, "cannot read \(path)", cause: error)
    }
    do { return try QASMParser.parse(text, fileName: path) } catch {
        throw DSVError(.circuit, "\(error)", cause: error)
    }
}

func run(_ world: MPIWorld) throws(DSVError) {
    let options = try DSVOptions(arguments: Array(CommandLine.arguments.dropFirst()))
    if let expected = options.expectRanks, expected != world.size {
        throw DSVError(.mpi, "MPI reports \(world.size) ranks but \(expected) were expected (was the binary started without an MPI launcher?)")
    }
    let circuit = try loadCircuit(options)
    var gates: [QuantumGate] = []
    for op in circuit.operations {
        switch op {
        case .gate(let g): gates.append(g)
        case .barrier, .measure: continue   // the final state is what is compared; measurements are not applied
        case .reset: throw DSVError(.circuit, "reset is not supported by the distributed simulator")
        }
    }
    var sim = try DistributedSimulation(world: world, qubits: circuit.qubitCount)
    world.barrier()
    let start = world.time()
    for g in gates { try sim.apply(g) }
    world.barrier()
    let elapsed = world.allreduce(world.time() - start, max: true)
    var local = 0.0
    for a in sim.slice { local += a.normSquared }
    let norm = world.allreduce(local, max: false)

    var report = DSVReport(ranks: world.size, qubits: circuit.qubitCount, localQubits: sim.localQubits,
                           depth: options.circuitPath == nil ? options.depth : nil,
                           seed: options.circuitPath == nil ? options.seed : nil, circuit: options.circuitPath,
                           gates: gates.count, exchanges: sim.exchanges, bytesSentPerRank: sim.bytesSent,
                           simulationSeconds: elapsed, norm: norm, tolerance: options.tolerance, ok: abs(norm - 1) < 1e-9)
    if options.check {
        let gathered = try world.gather(sim.slice)
        if let physical = gathered {
            let state = sim.logicalOrder(physical)
            let refStart = world.time()
            let reference: [ComplexAmplitude]
            do { reference = try StateVectorSimulator().statevector(circuit.unitaryPart) } catch {
                throw DSVError(.simulation, "reference simulation failed: \(error.message)", cause: error)
            }
            report.referenceSeconds = world.time() - refStart
            var maxError = 0.0, checksum = 0.0
            for i in state.indices {
                maxError = max(maxError, (state[i] - reference[i]).magnitude)
                checksum += Double(i) * state[i].normSquared
            }
            report.maxError = maxError
            report.checksum = checksum
            report.amplitudes = state.prefix(options.amplitudes).map { [$0.re, $0.im] }
            report.ok = report.ok && maxError <= options.tolerance
        }
    }
    if world.rank == 0 {
        let text = report.json() + "\n"
        if let path = options.outputPath {
            do { try text.write(toFile: path, atomically: true, encoding: .utf8) } catch {
                throw DSVError(.io, "cannot write \(path)", cause: error)
            }
        } else {
            FileHandle.standardOutput.write(Data(text.utf8))
        }
    }
    if !report.ok, world.rank == 0 {
        FileHandle.standardError.write(Data("pilot-dsv: result differs from the reference or is not normalised\n".utf8))
    }
    world.barrier()
    if !report.ok { world.finish(); exit(1) }
}

let world: MPIWorld
do { world = try MPIWorld.start() } catch {
    FileHandle.standardError.write(Data("pilot-dsv: \(error)\n".utf8))
    exit(2)
}
do {
    try run(world)
    world.finish()
} catch {
    FileHandle.standardError.write(Data("pilot-dsv[rank \(world.rank)]: \(error)\n".utf8))
    if error.code == .usage { world.finish(); exit(2) }
    world.abort(1)
}
