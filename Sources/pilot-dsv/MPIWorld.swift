import CMPI
import PilotQuantum

/// The few MPI calls the simulator needs, over MPI_COMM_WORLD, with return codes turned into errors.
struct MPIWorld {
    /// Fetched per call: MPI_Comm is a pointer under Open MPI and an integer under MPICH, and the
    /// getter's imported type differs (implicitly unwrapped or not), so it is never stored.
    var comm: MPI_Comm! { cmpi_comm_world() }
    let rank: Int
    let size: Int

    static func start() throws(DSVError) -> MPIWorld {
        guard MPI_Init(nil, nil) == cmpi_success() else { throw DSVError(.mpi, "MPI_Init failed") }
        var r: Int32 = 0, s: Int32 = 0
        MPI_Comm_rank(cmpi_comm_world(), &r)
        MPI_Comm_size(cmpi_comm_world(), &s)
        return MPIWorld(rank: Int(r), size: Int(s))
    }

    func finish() { MPI_Finalize() }

    func abort(_ code: Int32) -> Never {
        MPI_Abort(comm, code)
        fatalError("MPI_Abort returned")
    }

    func barrier() { MPI_Barrier(comm) }

    func time() -> Double { MPI_Wtime() }

    /// Sends `send` to `partner` and receives as many amplitudes from it in one call, so paired
    /// ranks cannot deadlock whatever order they reach the exchange in.
    func exchange(_ send: [ComplexAmplitude], with partner: Int) throws(DSVError) -> [ComplexAmplitude] {
        var received = [ComplexAmplitude](repeating: .zero, count: send.count)
        let doubles = Int32(2 * send.count)
        let rc = send.withUnsafeBytes { out in
            received.withUnsafeMutableBytes { into in
                MPI_Sendrecv(out.baseAddress, doubles, cmpi_double(), Int32(partner), 7,
                             into.baseAddress, doubles, cmpi_double(), Int32(partner), 7, comm, cmpi_status_ignore())
            }
        }
        guard rc == cmpi_success() else { throw DSVError(.mpi, "MPI_Sendrecv with rank \(partner) failed (\(rc))") }
        return received
    }

    func allreduce(_ value: Double, max: Bool) -> Double {
        var local = value, global = 0.0
        MPI_Allreduce(&local, &global, 1, cmpi_double(), max ? cmpi_max() : cmpi_sum(), comm)
        return global
    }

    /// Every rank's slice concatenated in rank order, on rank 0 only.
    func gather(_ slice: [ComplexAmplitude]) throws(DSVError) -> [ComplexAmplitude]? {
        var all = [ComplexAmplitude](repeating: .zero, count: rank == 0 ? slice.count * size : 0)
        let doubles = Int32(2 * slice.count)
        let rc = slice.withUnsafeBytes { out in
            all.withUnsafeMutableBytes { into in
                MPI_Gather(out.baseAddress, doubles, cmpi_double(), into.baseAddress, doubles, cmpi_double(), 0, comm)
            }
        }
        guard rc == cmpi_success() else { throw DSVError(.mpi, "MPI_Gather failed (\(rc))") }
        return rank == 0 ? all : nil
    }
}
