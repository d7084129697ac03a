// CSwiftletShim: the Linux calls Swift's Glibc module does not expose, or exposes only through
// variadic functions or _GNU_SOURCE macros Swift cannot use. Every wrapper returns the raw result
// and leaves errno set; SwiftletSystem turns that into a thrown error naming the call.
#pragma once

#include <signal.h>
#include <spawn.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef SWIFTLET_EMBEDDED
// swiftlet-pause is an Embedded Swift program, which cannot import Swift's Glibc module: there this
// module is its way to libc (Docs/architecture.md, "Embedded Swift"). Only there: elsewhere these
// would clash with Glibc's own definitions (S_IFMT and friends).
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#endif

/// What Swift's Glibc overlay adds on top of libc, for code that must also build without it:
/// open(2) and fcntl(2) are variadic, SIG_IGN / SIG_DFL are casts, argv is `CommandLine`'s.
int swl_open(const char *path, int flags, mode_t mode);
int swl_openat(int dirfd, const char *path, int flags, mode_t mode);
int swl_fcntl(int fd, int cmd, int arg);
/// signal(sig, SIG_IGN) / signal(sig, SIG_DFL).
void swl_signal_ignore(int sig);
void swl_signal_default(int sig);
/// The process's arguments, saved by a constructor (glibc passes argc and argv to them).
int swl_argc(void);
char *const *swl_argv(void);

// Namespace and mount flags (macros behind _GNU_SOURCE in libc).
extern const unsigned long SWL_CLONE_NEWNS, SWL_CLONE_NEWPID, SWL_CLONE_NEWNET, SWL_CLONE_NEWIPC,
    SWL_CLONE_NEWUTS, SWL_CLONE_NEWCGROUP;
extern const unsigned long SWL_MS_RDONLY, SWL_MS_NOSUID, SWL_MS_NODEV, SWL_MS_NOEXEC, SWL_MS_REMOUNT,
    SWL_MS_BIND, SWL_MS_REC, SWL_MS_PRIVATE, SWL_MS_SLAVE, SWL_MS_STRICTATIME;
extern const int SWL_MNT_DETACH;
/// posix_spawn flag: the child starts a new session, so it outlives the spawner's process group.
extern const short SWL_POSIX_SPAWN_SETSID;

int swl_unshare(unsigned long flags);
int swl_setns(int fd, int nstype);
int swl_sethostname(const char *name, size_t len);

/// fork(2) with namespace flags: the child starts in fresh namespaces (mount, pid, …).
/// Only safe in a single-threaded process (swiftlet-pause), exactly like fork().
pid_t swl_clone_fork(unsigned long flags);

/// pivot_root(2) has no libc wrapper.
int swl_pivot_root(const char *new_root, const char *put_old);
int swl_mount(const char *source, const char *target, const char *fstype, unsigned long flags, const char *data);
int swl_umount2(const char *target, int flags);

/// prctl(2) is variadic.
int swl_set_child_subreaper(void);
int swl_set_pdeathsig(int sig);
int swl_set_name(const char *name);

int swl_signalfd(const sigset_t *mask);
/// pidfd_open(2) / pidfd_send_signal(2) have no glibc 2.36 wrappers usable from Swift.
int swl_pidfd_open(pid_t pid);
int swl_pidfd_send_signal(int pidfd, int sig);

/// makedev is a macro.
int swl_mknod(const char *path, mode_t mode, unsigned int major_, unsigned int minor_);
int swl_inotify_init(void);

/// ioctl(2) is variadic.
int swl_set_controlling_tty(int fd);
int swl_set_winsize(int fd, unsigned short rows, unsigned short cols);
/// Opens a pseudo-terminal pair from the /dev/ptmx of the caller's root (posix_openpt and friends are
/// XOPEN-only); both ends close-on-exec, the replica without becoming a controlling terminal.
int swl_open_pty(int *master, int *replica);
/// The terminal size of `fd` (TIOCGWINSZ); -1 when it is not a terminal.
int swl_get_winsize(int fd, unsigned short *rows, unsigned short *cols);
/// Brings `lo` up in the calling process's network namespace (SIOCSIFFLAGS).
int swl_loopback_up(void);

/// errno and the wait-status macros are not importable as Swift functions.
int swl_errno(void);
int swl_wifexited(int status);
int swl_wexitstatus(int status);
int swl_wifsignaled(int status);
int swl_wtermsig(int status);

/// pipe2(2) is behind _GNU_SOURCE.
int swl_pipe_cloexec(int fds[2]);
/// Reads one signalfd_siginfo (a _GNU_SOURCE type); returns the signal number or -1.
int swl_signalfd_read(int fd);
/// accept4(2) is behind _GNU_SOURCE.
int swl_accept_cloexec(int fd);
/// <sys/inotify.h> is not part of Swift's Glibc module.
int swl_inotify_add_watch(int fd, const char *path, uint32_t mask);
int swl_inotify_rm_watch(int fd, int wd);
/// posix_spawn_file_actions_addclosefrom_np (glibc 2.34) is behind _GNU_SOURCE: a spawned process
/// must not inherit the agent's descriptors (sockets, inotify, a supervisor's pipes).
int swl_spawn_closefrom(posix_spawn_file_actions_t *actions, int lowfd);
/// close_range(2): closes every descriptor from `first` on.
int swl_close_range(unsigned int first);

/// Identity and confinement of a container process (swiftlet-init), in the order runc applies them.
int swl_set_keepcaps(int on);
int swl_set_no_new_privs(void);
int swl_setresuid(uid_t uid);
int swl_setresgid(gid_t gid);
int swl_setgroups(size_t count, const gid_t *groups);
/// Installs a classic-BPF seccomp filter (an array of 8-byte sock_filter entries compiled by the agent).
int swl_install_seccomp(const void *filter, size_t bytes);

/// Passes a descriptor over a Unix socket (SCM_RIGHTS): swiftlet-init hands the pause the master of
/// a container's terminal (runc's console socket). CMSG_* are macros Swift cannot call.
int swl_send_fd(int socket, int fd);
/// Receives one descriptor (close-on-exec); -1 with errno, or -1 and errno 0 when the peer closed.
int swl_recv_fd(int socket);
/// Makes `fd` the calling session leader's controlling terminal (TIOCSCTTY).
int swl_set_controlling_terminal(int fd);

/// glibc malloc tuning; <malloc.h> is not part of Swift's Glibc module.
/// mallopt(M_ARENA_MAX, arenas): caps the per-thread malloc arenas (default 8 × cores).
int swl_malloc_arena_max(int arenas);
/// malloc_trim(0): gives every whole free page of every arena back to the kernel.
int swl_malloc_trim(void);
