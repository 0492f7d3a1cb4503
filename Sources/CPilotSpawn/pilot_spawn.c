#define _GNU_SOURCE
#include "pilot_spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_close_range
#define SYS_close_range 436
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif
#ifndef SYS_clone3
#define SYS_clone3 435
#endif
#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

/* clone3's argument block up to `cgroup` (CLONE_ARGS_SIZE_VER2), spelled out so that older
   kernel headers without `struct clone_args` still build. */
typedef struct pilot_clone_args {
    uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid, set_tid_size, cgroup;
} pilot_clone_args;

/* clone3 with the child running fn(arg) on the stack the arguments name, never returning into
   this frame (glibc exports no clone3 wrapper). Returns the child's pid, or -errno. The child
   gets the parent's registers, so fn and arg ride across the system call in registers the
   kernel preserves. */
long pilot_clone3_raw(pilot_clone_args *args, size_t size, int (*fn)(void *), void *arg)
    __attribute__((visibility("hidden")));
#if defined(__x86_64__)
__asm__(".text\n"
        ".hidden pilot_clone3_raw\n"
        ".globl pilot_clone3_raw\n"
        ".type pilot_clone3_raw,@function\n"
        "pilot_clone3_raw:\n"
        "  mov %rcx, %r8\n"
        "  mov %rdx, %r9\n"
        "  mov $435, %eax\n"
        "  syscall\n"
        "  test %rax, %rax\n"
        "  jz 1f\n"
        "  ret\n"
        "1:\n"
        "  xor %ebp, %ebp\n"
        "  and $-16, %rsp\n"
        "  mov %r8, %rdi\n"
        "  call *%r9\n"
        "  mov %eax, %edi\n"
        "  mov $60, %eax\n"
        "  syscall\n"
        "  hlt\n"
        ".size pilot_clone3_raw, .-pilot_clone3_raw\n");
#define PILOT_HAVE_CLONE3 1
#elif defined(__aarch64__)
__asm__(".text\n"
        ".hidden pilot_clone3_raw\n"
        ".globl pilot_clone3_raw\n"
        ".type pilot_clone3_raw,%function\n"
        "pilot_clone3_raw:\n"
        "  mov x9, x2\n"
        "  mov x10, x3\n"
        "  mov x8, #435\n"
        "  svc #0\n"
        "  cbz x0, 1f\n"
        "  ret\n"
        "1:\n"
        "  mov x29, xzr\n"
        "  mov x30, xzr\n"
        "  mov x0, x10\n"
        "  blr x9\n"
        "  mov x8, #93\n"
        "  svc #0\n"
        "  brk #0\n"
        ".size pilot_clone3_raw, .-pilot_clone3_raw\n");
#define PILOT_HAVE_CLONE3 1
#else
long pilot_clone3_raw(pilot_clone_args *args, size_t size, int (*fn)(void *), void *arg) {
    (void)args; (void)size; (void)fn; (void)arg;
    return -ENOSYS;
}
#define PILOT_HAVE_CLONE3 0
#endif

/* Whether clone3 with CLONE_INTO_CGROUP works here: 1 unknown or yes, 0 no (Linux < 5.7, or a
   seccomp filter that refuses clone3). Written racily by spawning threads; any value is safe. */
static volatile int clone_into_cgroup_usable = 1;

void pilot_spawn_set_clone3(int enabled) { clone_into_cgroup_usable = enabled ? 1 : 0; }

/* The child runs on this much of the parent's stack while the parent is suspended.
   It only makes system calls, so a few pages are plenty. */
#define CHILD_STACK_BYTES (32 * 1024)

typedef struct child_context {
    const pilot_spawn_args *args;
    pid_t parent_pid;
    sigset_t empty_mask;
    /* Born inside its cgroup by clone3: the child need not join it. */
    int in_cgroup;
    /* Written by the child, read by the parent after the vfork-style resume. */
    volatile int error;
    volatile int step;
} child_context;

static int child_fail(child_context *ctx, pilot_spawn_step step, int err) {
    ctx->error = err ? err : EINVAL;
    ctx->step = step;
    _exit(127);
}

/* Makes `fd` the child's descriptor `target`, clearing close-on-exec either way. */
static int child_install_fd(int fd, int target) {
    if (fd == target) {
        int flags = fcntl(fd, F_GETFD);
        if (flags < 0) return -1;
        return fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC);
    }
    return dup2(fd, target) < 0 ? -1 : 0;
}

/* glibc refuses to touch the signals it reserves for itself (32, 33), yet an ignored one is
   inherited across exec: reset it with the raw system call (SIG_DFL needs no restorer). */
static void child_reset_reserved_signal(int sig) {
    struct {
        void *handler;
        unsigned long flags;
        void *restorer;
        uint64_t mask;
    } kernel_action = {0};
    kernel_action.handler = (void *)SIG_DFL;
    (void)syscall(SYS_rt_sigaction, sig, &kernel_action, NULL, sizeof kernel_action.mask);
}

/* Runs in the child, sharing the parent's memory: async-signal-safe system calls only,
   no allocation, no locks, and it never returns. */
static int child_main(void *raw) {
    child_context *ctx = raw;
    const pilot_spawn_args *a = ctx->args;

    /* Signals are blocked (the parent blocked them before clone). Handlers belong to the
       parent and would run on its memory, so reset every disposition before unblocking;
       an inherited SIG_IGN (SIGPIPE is a common one) would also leak into the task. */
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP) continue;
        if (sigaction(sig, &dfl, NULL) < 0) child_reset_reserved_signal(sig);
    }

    /* First, so that everything the task ever starts is born inside its cgroup. Moving a
       process between cgroups waits for an RCU grace period (the threadgroup lock's writer side),
       a quarter millisecond on an idle machine and tens under load, with the spawning thread
       suspended meanwhile; clone3 puts the child there from birth, so this is the fallback. */
    if (a->join_cgroup && !ctx->in_cgroup) {
        int procs = openat(a->cgroup_dir_fd, "cgroup.procs", O_WRONLY | O_CLOEXEC);
        if (procs < 0 || write(procs, "0", 1) != 1) child_fail(ctx, PILOT_SPAWN_STEP_CGROUP, errno);
        close(procs);
    }

    if (a->new_session && setsid() < 0) child_fail(ctx, PILOT_SPAWN_STEP_SETSID, errno);

    if (a->pdeath_signal) {
        if (prctl(PR_SET_PDEATHSIG, (unsigned long)a->pdeath_signal) < 0)
            child_fail(ctx, PILOT_SPAWN_STEP_PDEATHSIG, errno);
        /* If the parent died before prctl, the signal will never come: bail out. */
        if (getppid() != ctx->parent_pid) child_fail(ctx, PILOT_SPAWN_STEP_PARENT_DIED, ESRCH);
    }

    if (a->cpu_mask && a->cpu_mask_bytes &&
        sched_setaffinity(0, a->cpu_mask_bytes, (const cpu_set_t *)a->cpu_mask) < 0)
        child_fail(ctx, PILOT_SPAWN_STEP_AFFINITY, errno);

    /* A source fd below 3 could be clobbered by an earlier dup2; move it up first. */
    int fds[3] = {a->stdin_fd, a->stdout_fd, a->stderr_fd};
    for (int i = 0; i < 3; i++) {
        if (fds[i] >= 0 && fds[i] < 3 && fds[i] != i) {
            int moved = fcntl(fds[i], F_DUPFD_CLOEXEC, 3);
            if (moved < 0) child_fail(ctx, PILOT_SPAWN_STEP_DUP2, errno);
            for (int j = i + 1; j < 3; j++)
                if (fds[j] == fds[i]) fds[j] = moved;
            fds[i] = moved;
        }
    }
    for (int i = 0; i < 3; i++) {
        if (fds[i] >= 0 && child_install_fd(fds[i], i) < 0) child_fail(ctx, PILOT_SPAWN_STEP_DUP2, errno);
    }

    if (a->cwd && chdir(a->cwd) < 0) child_fail(ctx, PILOT_SPAWN_STEP_CHDIR, errno);

    /* Descriptors the rest of the process forgot to mark (server sockets, pipes) must not
       leak into tasks. Old kernels lack close_range: not fatal. */
    (void)syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC);

    if (sigprocmask(SIG_SETMASK, &ctx->empty_mask, NULL) < 0)
        child_fail(ctx, PILOT_SPAWN_STEP_SIGMASK, errno);

    execve(a->path, a->argv, a->envp);
    child_fail(ctx, PILOT_SPAWN_STEP_EXEC, errno);
    return 127;
}

/* A child's exit sends SIGCHLD to the thread that cloned it. With SIGCHLD at its default
   (ignore) the kernel drops it on the spot, unless that thread blocks it: then it is queued for
   the process and wakes whichever thread does not block it, typically the main thread parked in
   sigsuspend, once per task, for nothing. Event-loop threads block every signal, so the spawning
   thread unblocks SIGCHLD once. (We learn of exits from pidfds, never from the signal.) */
static __thread int sigchld_unblocked;

static void unblock_sigchld_once(void) {
    if (sigchld_unblocked) return;
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    pthread_sigmask(SIG_UNBLOCK, &chld, NULL);
    sigchld_unblocked = 1;
}

int pilot_spawn(const pilot_spawn_args *args, pilot_spawn_result *result) {
    unblock_sigchld_once();
    child_context ctx;
    ctx.args = args;
    ctx.parent_pid = getpid();
    ctx.error = 0;
    ctx.step = PILOT_SPAWN_STEP_NONE;
    sigemptyset(&ctx.empty_mask);

    result->pid = -1;
    result->pidfd = -1;
    result->error = 0;
    result->step = PILOT_SPAWN_STEP_NONE;

    _Alignas(16) char stack[CHILD_STACK_BYTES];

    /* No handler may run in the child while it shares our memory. SIGCHLD stays open: a sibling
       that exits meanwhile must find it unblocked to be dropped (see unblock_sigchld_once), and
       nothing sends SIGCHLD to a child that has no children and whose pid nobody knows yet. */
    sigset_t all, saved;
    sigfillset(&all);
    sigdelset(&all, SIGCHLD);
    pthread_sigmask(SIG_SETMASK, &all, &saved);

    int pidfd = -1;
    pid_t pid = -1;
    int clone_errno = 0;
    int cloned = 0;
    ctx.in_cgroup = 0;
    if (args->join_cgroup && PILOT_HAVE_CLONE3 && clone_into_cgroup_usable) {
        pilot_clone_args ca;
        memset(&ca, 0, sizeof ca);
        ca.flags = CLONE_VM | CLONE_VFORK | CLONE_PIDFD | CLONE_INTO_CGROUP;
        ca.pidfd = (uint64_t)(uintptr_t)&pidfd;
        ca.exit_signal = SIGCHLD;
        ca.stack = (uint64_t)(uintptr_t)stack;
        ca.stack_size = sizeof stack;
        ca.cgroup = (uint64_t)args->cgroup_dir_fd;
        ctx.in_cgroup = 1;
        long r = pilot_clone3_raw(&ca, sizeof ca, child_main, &ctx);
        if (r > 0) {
            pid = (pid_t)r;
            cloned = 1;
        } else if (r == -EAGAIN || r == -ENOMEM) {
            clone_errno = (int)-r;
            cloned = 1;
        } else {
            /* Unsupported here, or refused for this cgroup: the child's own write below either
               works or says why. */
            if (r == -ENOSYS || r == -E2BIG || r == -EPERM) clone_into_cgroup_usable = 0;
            ctx.in_cgroup = 0;
            pidfd = -1;
        }
    }
    if (!cloned) {
        pid = clone(child_main, stack + sizeof stack, CLONE_VM | CLONE_VFORK | CLONE_PIDFD | SIGCHLD, &ctx, &pidfd);
        clone_errno = errno;
    }

    pthread_sigmask(SIG_SETMASK, &saved, NULL);

    if (pid < 0) {
        result->error = clone_errno;
        result->step = PILOT_SPAWN_STEP_CLONE;
        return clone_errno;
    }
    if (ctx.error) {
        /* The child has already _exit'ed (CLONE_VFORK resumed us): collect it so no
           half-started process is left behind. */
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
        if (pidfd >= 0) close(pidfd);
        result->pid = pid; /* for diagnostics only: it is already reaped */
        result->error = ctx.error;
        result->step = (pilot_spawn_step)ctx.step;
        return ctx.error;
    }
    result->pid = pid;
    result->pidfd = pidfd;
    return 0;
}

/* ---- helper thread ---------------------------------------------------------------- */

typedef struct helper_request {
    const pilot_spawn_args *args;
    pilot_spawn_result *result;
    int rc;
    sem_t done;
    struct helper_request *next;
} helper_request;

static pthread_mutex_t helper_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t helper_wake = PTHREAD_COND_INITIALIZER;
static helper_request *helper_head, *helper_tail;
static pthread_once_t helper_once = PTHREAD_ONCE_INIT;
static int helper_start_error;

static void *helper_main(void *unused) {
    (void)unused;
    /* Asynchronous signals go to other threads; pilot_spawn blocks them anyway. */
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, NULL);
    for (;;) {
        pthread_mutex_lock(&helper_lock);
        while (!helper_head) pthread_cond_wait(&helper_wake, &helper_lock);
        helper_request *req = helper_head;
        helper_head = req->next;
        if (!helper_head) helper_tail = NULL;
        pthread_mutex_unlock(&helper_lock);

        req->rc = pilot_spawn(req->args, req->result);
        sem_post(&req->done);
    }
    return NULL;
}

static void helper_start(void) {
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, 256 * 1024);
    pthread_t thread;
    helper_start_error = pthread_create(&thread, &attr, helper_main, NULL);
    pthread_attr_destroy(&attr);
}

int pilot_spawn_via_helper(const pilot_spawn_args *args, pilot_spawn_result *result) {
    pthread_once(&helper_once, helper_start);
    if (helper_start_error) {
        result->pid = -1;
        result->pidfd = -1;
        result->error = helper_start_error;
        result->step = PILOT_SPAWN_STEP_HELPER;
        return helper_start_error;
    }
    helper_request req;
    req.args = args;
    req.result = result;
    req.rc = 0;
    req.next = NULL;
    sem_init(&req.done, 0, 0);

    pthread_mutex_lock(&helper_lock);
    if (helper_tail) helper_tail->next = &req; else helper_head = &req;
    helper_tail = &req;
    pthread_cond_signal(&helper_wake);
    pthread_mutex_unlock(&helper_lock);

    while (sem_wait(&req.done) < 0 && errno == EINTR) {}
    sem_destroy(&req.done);
    return req.rc;
}

/* ---- reaping and event plumbing --------------------------------------------------- */

static double timeval_seconds(struct timeval tv) {
    return (double)tv.tv_sec + (double)tv.tv_usec * 1e-6;
}

int pilot_spawn_reap(pid_t pid, int block, pilot_spawn_exit *out) {
    int status = 0;
    struct rusage usage;
    memset(&usage, 0, sizeof usage);
    pid_t got;
    do {
        got = wait4(pid, &status, block ? 0 : WNOHANG, &usage);
    } while (got < 0 && errno == EINTR);
    if (got < 0) return -errno;
    if (got == 0) return 0;
    memset(out, 0, sizeof *out);
    if (WIFEXITED(status)) {
        out->exited = 1;
        out->code = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
        out->signaled = 1;
        out->signal = WTERMSIG(status);
    }
    out->user_seconds = timeval_seconds(usage.ru_utime);
    out->system_seconds = timeval_seconds(usage.ru_stime);
    return 1;
}

int pilot_spawn_epoll_create(void) {
    int fd = epoll_create1(EPOLL_CLOEXEC);
    return fd < 0 ? -errno : fd;
}

int pilot_spawn_epoll_add(int epfd, int fd, uint64_t data) {
    struct epoll_event ev;
    memset(&ev, 0, sizeof ev);
    ev.events = EPOLLIN;
    ev.data.u64 = data;
    return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

int pilot_spawn_epoll_remove(int epfd, int fd) {
    return epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL) < 0 ? -errno : 0;
}

int pilot_spawn_epoll_wait(int epfd, uint64_t *data, int max_events, int timeout_ms) {
    enum { CHUNK = 256 };
    struct epoll_event events[CHUNK];
    if (max_events > CHUNK) max_events = CHUNK;
    int n = epoll_wait(epfd, events, max_events, timeout_ms);
    if (n < 0) return -errno;
    for (int i = 0; i < n; i++) data[i] = events[i].data.u64;
    return n;
}

int pilot_spawn_eventfd(void) {
    int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    return fd < 0 ? -errno : fd;
}

int pilot_spawn_eventfd_signal(int fd) {
    uint64_t one = 1;
    ssize_t n;
    do { n = write(fd, &one, sizeof one); } while (n < 0 && errno == EINTR);
    /* EAGAIN means the counter is saturated: the reader will wake anyway. */
    return (n < 0 && errno != EAGAIN) ? -errno : 0;
}

int pilot_spawn_eventfd_drain(int fd) {
    uint64_t value;
    ssize_t n;
    do { n = read(fd, &value, sizeof value); } while (n < 0 && errno == EINTR);
    return (n < 0 && errno != EAGAIN) ? -errno : 0;
}

int pilot_spawn_pin_thread(int cpu) {
    if (cpu < 0 || cpu >= CPU_SETSIZE) return -EINVAL;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return sched_setaffinity(0, sizeof set, &set) < 0 ? -errno : 0;
}

void pilot_spawn_name_thread(const char *name) {
    (void)prctl(PR_SET_NAME, (unsigned long)name, 0, 0, 0);
}

int pilot_spawn_pidfd_open(pid_t pid) {
    long fd = syscall(SYS_pidfd_open, pid, 0);
    return fd < 0 ? -errno : (int)fd;
}

int pilot_spawn_pidfd_wait_exit(int pidfd, int timeout_ms) {
    struct pollfd p = {.fd = pidfd, .events = POLLIN};
    int n;
    do { n = poll(&p, 1, timeout_ms); } while (n < 0 && errno == EINTR);
    if (n < 0) return -errno;
    return n > 0 ? 1 : 0;
}

int pilot_spawn_set_child_subreaper(void) {
    return prctl(PR_SET_CHILD_SUBREAPER, 1UL, 0UL, 0UL, 0UL) < 0 ? -errno : 0;
}
