#ifndef PILOT_RANK_H
#define PILOT_RANK_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One rank of a gang task, started by srun on some node of the pilot: it pins itself to the
   cores the manager bound to it on that node, shows only its GPUs, and execs the program.
   srun cannot do this itself: --cpu-bind=map_cpu takes one list for every node, and the
   task/none affinity plugin ignores it anyway.

   The binding (env PILOT_RANK_BINDING, written by PilotLaunch's RankBinding) is
       NODE=RANK[/RANK...][;NODE=RANK[/RANK...]...]
       RANK = CPUS[@GPUS]     CPUS, GPUS = comma-separated numbers or ranges a-b
   with the ranks of a node in SLURM_LOCALID order. Empty CPUS leaves the affinity alone;
   no @ leaves CUDA_VISIBLE_DEVICES alone. */

#define PILOT_RANK_MAX_CPUS 65536

typedef enum pilot_rank_step {
    PILOT_RANK_STEP_NONE = 0,
    PILOT_RANK_STEP_ENVIRONMENT, /* PILOT_RANK_BINDING, SLURMD_NODENAME or SLURM_LOCALID missing */
    PILOT_RANK_STEP_PARSE,       /* the binding is malformed */
    PILOT_RANK_STEP_NODE,        /* this node is not in the binding */
    PILOT_RANK_STEP_RANK,        /* SLURM_LOCALID is beyond the node's ranks */
    PILOT_RANK_STEP_AFFINITY,
    PILOT_RANK_STEP_EXEC,
} pilot_rank_step;

/* This rank's share: CPUs as a cpu_set_t-style mask, GPUs as the text for CUDA_VISIBLE_DEVICES. */
typedef struct pilot_rank_slots {
    unsigned long cpu_mask[PILOT_RANK_MAX_CPUS / (8 * sizeof(unsigned long))]; /* cpu_set_t's layout */
    int cpu_count;
    int max_cpu;
    int has_gpus;
    char gpus[256];
} pilot_rank_slots;

/* Finds NODE's LOCAL_ID-th rank in BINDING. Returns PILOT_RANK_STEP_NONE or the step that failed. */
pilot_rank_step pilot_rank_pick(const char *binding, const char *node, int local_id, pilot_rank_slots *out);

/* Reads the environment, pins, sets CUDA_VISIBLE_DEVICES, removes PILOT_RANK_BINDING and execs
   argv[0] (searched in PATH). Returns only on failure: the step, with errno set for system calls. */
pilot_rank_step pilot_rank_exec(char *const argv[]);

#ifdef __cplusplus
}
#endif

#endif
