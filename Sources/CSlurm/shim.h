#ifndef CSLURM_SHIM_H
#define CSLURM_SHIM_H

/*
 * Header-only bridge to libslurm (Slurm 22.05, Debian's libslurm-dev).
 * Swift cannot import function-like macros, so the SLURM_BIT()-based flags we
 * need are re-exported here as typed constants; everything else imports as is.
 */
#include <stdint.h>
#include <slurm/slurm.h>
#include <slurm/slurm_errno.h>

/* Job state flags folded into job_info_t.job_state. */
static const uint32_t CSLURM_JOB_STATE_BASE = (uint32_t)JOB_STATE_BASE;
static const uint32_t CSLURM_JOB_COMPLETING = (uint32_t)JOB_COMPLETING;
static const uint32_t CSLURM_JOB_CONFIGURING = (uint32_t)JOB_CONFIGURING;
static const uint32_t CSLURM_JOB_REQUEUE = (uint32_t)JOB_REQUEUE;

/* slurm_kill_job() flags and job_desc_msg_t.warn_flags. */
static const uint16_t CSLURM_KILL_JOB_BATCH = (uint16_t)KILL_JOB_BATCH;
static const uint16_t CSLURM_KILL_FULL_JOB = (uint16_t)KILL_FULL_JOB;
static const uint16_t CSLURM_KILL_STEPS_ONLY = (uint16_t)KILL_STEPS_ONLY;

static const uint32_t CSLURM_NO_VAL = (uint32_t)NO_VAL;
static const uint32_t CSLURM_INFINITE = (uint32_t)INFINITE;
static const uint16_t CSLURM_NO_VAL16 = (uint16_t)NO_VAL16;
static const uint64_t CSLURM_NO_VAL64 = (uint64_t)NO_VAL64;
static const uint64_t CSLURM_MEM_PER_CPU = (uint64_t)MEM_PER_CPU;
static const uint32_t CSLURM_NICE_OFFSET = (uint32_t)NICE_OFFSET;

static inline long cslurm_version_major(long v) { return SLURM_VERSION_MAJOR(v); }
static inline long cslurm_version_minor(long v) { return SLURM_VERSION_MINOR(v); }
static inline long cslurm_version_micro(long v) { return SLURM_VERSION_MICRO(v); }

/* Exported by libslurm.so.38 but missing from the 22.05 public header. */
extern char *slurm_job_state_string(uint32_t state);
extern char *slurm_job_reason_string(enum job_state_reason reason);

#endif
