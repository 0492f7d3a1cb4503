#define _GNU_SOURCE
#include "pilot_rank.h"

#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Parses "a,b-c,..." up to END into the mask. Returns 0, or -1 on bad syntax or range. */
static int parse_cpus(const char *p, const char *end, pilot_rank_slots *out) {
    while (p < end) {
        char *stop;
        long lo = strtol(p, &stop, 10), hi;
        if (stop == p || lo < 0) return -1;
        p = stop;
        hi = lo;
        if (p < end && *p == '-') {
            hi = strtol(p + 1, &stop, 10);
            if (stop == p + 1 || hi < lo) return -1;
            p = stop;
        }
        if (hi >= PILOT_RANK_MAX_CPUS) return -1;
        for (long c = lo; c <= hi; c++) {
            out->cpu_mask[c / (8 * sizeof(unsigned long))] |= 1ul << (c % (8 * sizeof(unsigned long)));
            out->cpu_count++;
            if (c > out->max_cpu) out->max_cpu = (int)c;
        }
        if (p < end) {
            if (*p != ',') return -1;
            p++;
        }
    }
    return 0;
}

/* GPUs are copied as given (after a syntax check): they become CUDA_VISIBLE_DEVICES. */
static int copy_gpus(const char *p, const char *end, pilot_rank_slots *out) {
    size_t n = (size_t)(end - p);
    if (n >= sizeof out->gpus) return -1;
    for (const char *q = p; q < end; q++)
        if (!((*q >= '0' && *q <= '9') || *q == ',' || *q == '-')) return -1;
    memcpy(out->gpus, p, n);
    out->gpus[n] = 0;
    out->has_gpus = 1;
    return 0;
}

pilot_rank_step pilot_rank_pick(const char *binding, const char *node, int local_id, pilot_rank_slots *out) {
    memset(out, 0, sizeof *out);
    out->max_cpu = -1;
    size_t node_len = strlen(node);
    const char *entry = binding;
    while (*entry) {
        const char *entry_end = strchr(entry, ';');
        if (!entry_end) entry_end = entry + strlen(entry);
        const char *eq = memchr(entry, '=', (size_t)(entry_end - entry));
        if (!eq) return PILOT_RANK_STEP_PARSE;
        if ((size_t)(eq - entry) == node_len && memcmp(entry, node, node_len) == 0) {
            const char *rank = eq + 1;
            for (int i = 0; ; i++) {
                const char *rank_end = memchr(rank, '/', (size_t)(entry_end - rank));
                if (!rank_end) rank_end = entry_end;
                if (i == local_id) {
                    const char *at = memchr(rank, '@', (size_t)(rank_end - rank));
                    if (parse_cpus(rank, at ? at : rank_end, out) != 0) return PILOT_RANK_STEP_PARSE;
                    if (at && copy_gpus(at + 1, rank_end, out) != 0) return PILOT_RANK_STEP_PARSE;
                    return PILOT_RANK_STEP_NONE;
                }
                if (rank_end == entry_end) return PILOT_RANK_STEP_RANK;
                rank = rank_end + 1;
            }
        }
        entry = *entry_end ? entry_end + 1 : entry_end;
    }
    return PILOT_RANK_STEP_NODE;
}

pilot_rank_step pilot_rank_exec(char *const argv[]) {
    const char *binding = getenv("PILOT_RANK_BINDING");
    const char *node = getenv("SLURMD_NODENAME");
    const char *local = getenv("SLURM_LOCALID");
    if (!binding || !node || !local || !argv[0]) { errno = EINVAL; return PILOT_RANK_STEP_ENVIRONMENT; }
    char *stop;
    long local_id = strtol(local, &stop, 10);
    if (stop == local || *stop || local_id < 0) { errno = EINVAL; return PILOT_RANK_STEP_ENVIRONMENT; }
    static pilot_rank_slots slots; /* 8 KiB: kept off the stack */
    pilot_rank_step step = pilot_rank_pick(binding, node, (int)local_id, &slots);
    if (step != PILOT_RANK_STEP_NONE) { errno = EINVAL; return step; }
    if (slots.cpu_count > 0) {
        /* The kernel takes any whole number of longs. */
        size_t bytes = ((size_t)slots.max_cpu / (8 * sizeof(long)) + 1) * sizeof(long);
        if (sched_setaffinity(0, bytes, (const cpu_set_t *)(const void *)slots.cpu_mask) < 0) return PILOT_RANK_STEP_AFFINITY;
    }
    if (slots.has_gpus && setenv("CUDA_VISIBLE_DEVICES", slots.gpus, 1) < 0) return PILOT_RANK_STEP_EXEC;
    unsetenv("PILOT_RANK_BINDING");
    execvp(argv[0], argv);
    return PILOT_RANK_STEP_EXEC;
}
