/*
 * MPI smoke test for the local Slurm cluster: every rank contributes its rank
 * number to an MPI_Allreduce and checks the sum against size*(size-1)/2.
 *
 * Exit status is non-zero when the sum is wrong or when MPI_Comm_size differs
 * from SLURM_NTASKS: a launcher without a working PMI makes every task a
 * singleton "rank 0 of 1" that would otherwise pass silently.
 *
 * Output, one line per rank (parsed by PilotSlurmTests):
 *   rank=R size=S host=H node=N sum=X expected=Y ok=1
 */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);

    int rank = 0, size = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);

    char host[MPI_MAX_PROCESSOR_NAME] = {0};
    int host_len = 0;
    MPI_Get_processor_name(host, &host_len);
    const char *node = getenv("SLURMD_NODENAME");

    long mine = rank, sum = -1;
    MPI_Allreduce(&mine, &sum, 1, MPI_LONG, MPI_SUM, MPI_COMM_WORLD);
    long expected = (long)size * (size - 1) / 2;

    int status = 0;
    const char *ntasks = getenv("SLURM_NTASKS");
    if (ntasks != NULL && atoi(ntasks) != size) {
        fprintf(stderr, "rank=%d: MPI size %d != SLURM_NTASKS %s (singleton launch: PMI not wired up?)\n",
                rank, size, ntasks);
        status = 2;
    }
    if (sum != expected) {
        status = status ? status : 3;
    }

    printf("rank=%d size=%d host=%s node=%s sum=%ld expected=%ld ok=%d\n",
           rank, size, host, node ? node : "-", sum, expected, sum == expected);
    fflush(stdout);

    MPI_Finalize();
    return status;
}
