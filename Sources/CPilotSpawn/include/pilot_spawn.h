#ifndef PILOT_SPAWN_H
#define PILOT_SPAWN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Which step of a launch failed; the Swift side turns it into LaunchError.Code. */
typedef enum pilot_spawn_step {
    PILOT_SPAWN_STEP_NONE = 0,
    PILOT_SPAWN_STEP_CLONE,       /* in the parent: clone() itself */
    PILOT_SPAWN_STEP_SETSID,
    PILOT_SPAWN_STEP_PDEATHSIG,
    PILOT_SPAWN_STEP_PARENT_DIED, /* the parent exited before PR_SET_PDEATHSIG took hold */
    PILOT_SPAWN_STEP_AFFINITY,
    PILOT_SPAWN_STEP_DUP2,
    PILOT_SPAWN_STEP_CHDIR,
    PILOT_SPAWN_STEP_SIGMASK,
    PILOT_SPAWN_STEP_EXEC,
    PILOT_SPAWN_STEP_HELPER,      /* the helper thread could not be started */
    PILOT_SPAWN_STEP_CGROUP,      /* joining the task's cgroup */
} pilot_spawn_step;

/* Everything the child needs, prepared by the parent: the child only makes system calls. */
typedef struct pilot_spawn_args {
    const char *path;              /* resolved executable */
    char *const *argv;             /* NULL-terminated */
    char *const *envp;             /* NULL-terminated, the child's whole environment */
    const char *cwd;               /* NULL: inherit */
    int stdin_fd;                  /* become 0/1/2 in the child; may be O_CLOEXEC */
    int stdout_fd;
    int stderr_fd;
    const void *cpu_mask;          /* cpu_set_t-style bit mask; NULL: inherit affinity */
    size_t cpu_mask_bytes;
    int new_session;               /* setsid() */
    int pdeath_signal;             /* 0: none */
    int join_cgroup;               /* nonzero: the child starts inside the cgroup cgroup_dir_fd */
    int cgroup_dir_fd;             /* an open directory of the task's own cgroup v2 */
} pilot_spawn_args;

typedef struct pilot_spawn_result {
    pid_t pid;                     /* on failure: the already-reaped child, or -1 if none */
    int pidfd;                     /* CLOEXEC pidfd for the child, owned by the caller */
    int error;                     /* errno of the failed step, 0 on success */
    pilot_spawn_step step;
} pilot_spawn_result;

/* Whether contained spawns may use clone3 with CLONE_INTO_CGROUP (default 1). 0 makes every one
   join its cgroup from the child instead, the path taken where clone3 is missing; for tests. */
void pilot_spawn_set_clone3(int enabled);

/* Starts a child with clone(CLONE_VM|CLONE_VFORK|CLONE_PIDFD) on the calling thread.
   Returns 0 with pid and pidfd set once the child has exec'd, or an errno with the
   failed step; a child that failed before exec has already been reaped. The calling
   thread's signal mask no longer blocks SIGCHLD afterwards (see pilot_spawn.c). */
int pilot_spawn(const pilot_spawn_args *args, pilot_spawn_result *result);

/* Same, but run on a process-lifetime helper thread. PR_SET_PDEATHSIG fires when the
   parent *thread* exits, so children spawned from short-lived (e.g. thread-pool)
   threads would be killed at random; the helper thread never exits. */
int pilot_spawn_via_helper(const pilot_spawn_args *args, pilot_spawn_result *result);

/* How a reaped child ended. */
typedef struct pilot_spawn_exit {
    int exited;        /* normal exit: code is valid */
    int code;
    int signaled;      /* killed by a signal: signal is valid */
    int signal;
    double user_seconds;
    double system_seconds;
} pilot_spawn_exit;

/* wait4() on one child. Returns 1 when reaped, 0 if still running (only without block),
   -errno on error. A pidfd turns readable a moment before wait4 can collect the zombie,
   so the reaper blocks here: the child is known to be exiting and the wait is short. */
int pilot_spawn_reap(pid_t pid, int block, pilot_spawn_exit *out);

/* Thin wrappers so Swift never handles the packed epoll_event layout. */
int pilot_spawn_epoll_create(void);
int pilot_spawn_epoll_add(int epfd, int fd, uint64_t data);
/* epoll drops a registration only when the last reference to the file goes; a child forked
   meanwhile briefly holds one, so the pidfd is removed explicitly before it is closed. */
int pilot_spawn_epoll_remove(int epfd, int fd);
/* Waits up to timeout_ms (-1: forever); writes the ready fds' data. Returns count or -errno. */
int pilot_spawn_epoll_wait(int epfd, uint64_t *data, int max_events, int timeout_ms);

int pilot_spawn_eventfd(void);
int pilot_spawn_eventfd_signal(int fd);
int pilot_spawn_eventfd_drain(int fd);

/* Binds the calling thread to one CPU. Returns 0 or -errno (the CPU is not in the process's set). */
int pilot_spawn_pin_thread(int cpu);
/* Names the calling thread (15 bytes are kept), as seen in /proc/self/task/TID/comm. */
void pilot_spawn_name_thread(const char *name);

/* PR_SET_CHILD_SUBREAPER on the calling process: orphaned descendants of its children are
   reparented to it instead of init. Returns 0 or -errno. */
int pilot_spawn_set_child_subreaper(void);

/* pidfd_open(2) for tests and for callers that did not spawn the process. */
int pilot_spawn_pidfd_open(pid_t pid);
/* Blocks until the pidfd reports exit (poll, no reaping); 1 exited, 0 timeout, -errno. */
int pilot_spawn_pidfd_wait_exit(int pidfd, int timeout_ms);
#ifdef __cplusplus
}
#endif

#endif
