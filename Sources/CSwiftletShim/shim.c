// Compiled with _GNU_SOURCE; the header stays free of it so Swift's Glibc module and this
// module agree on every libc type.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <spawn.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>
#include "CSwiftletShim.h"

const unsigned long SWL_CLONE_NEWNS = CLONE_NEWNS;
const unsigned long SWL_CLONE_NEWPID = CLONE_NEWPID;
const unsigned long SWL_CLONE_NEWNET = CLONE_NEWNET;
const unsigned long SWL_CLONE_NEWIPC = CLONE_NEWIPC;
const unsigned long SWL_CLONE_NEWUTS = CLONE_NEWUTS;
const unsigned long SWL_CLONE_NEWCGROUP = CLONE_NEWCGROUP;
const unsigned long SWL_MS_RDONLY = MS_RDONLY;
const unsigned long SWL_MS_NOSUID = MS_NOSUID;
const unsigned long SWL_MS_NODEV = MS_NODEV;
const unsigned long SWL_MS_NOEXEC = MS_NOEXEC;
const unsigned long SWL_MS_REMOUNT = MS_REMOUNT;
const unsigned long SWL_MS_BIND = MS_BIND;
const unsigned long SWL_MS_REC = MS_REC;
const unsigned long SWL_MS_PRIVATE = MS_PRIVATE;
const unsigned long SWL_MS_SLAVE = MS_SLAVE;
const unsigned long SWL_MS_STRICTATIME = MS_STRICTATIME;
const int SWL_MNT_DETACH = MNT_DETACH;
const short SWL_POSIX_SPAWN_SETSID = POSIX_SPAWN_SETSID;

int swl_unshare(unsigned long flags) { return unshare((int)flags); }
int swl_setns(int fd, int nstype) { return setns(fd, nstype); }
int swl_sethostname(const char *name, size_t len) { return sethostname(name, len); }

pid_t swl_clone_fork(unsigned long flags) { return (pid_t)syscall(SYS_clone, flags | SIGCHLD, 0, 0, 0, 0); }

int swl_pivot_root(const char *new_root, const char *put_old) {
    return (int)syscall(SYS_pivot_root, new_root, put_old);
}

int swl_mount(const char *source, const char *target, const char *fstype, unsigned long flags, const char *data) {
    return mount(source, target, fstype, flags, data);
}
int swl_umount2(const char *target, int flags) { return umount2(target, flags); }

int swl_set_child_subreaper(void) { return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); }
int swl_set_pdeathsig(int sig) { return prctl(PR_SET_PDEATHSIG, sig, 0, 0, 0); }
int swl_set_name(const char *name) { return prctl(PR_SET_NAME, name, 0, 0, 0); }

int swl_signalfd(const sigset_t *mask) { return signalfd(-1, mask, SFD_CLOEXEC | SFD_NONBLOCK); }

int swl_pidfd_open(pid_t pid) { return (int)syscall(SYS_pidfd_open, pid, 0); }
int swl_pidfd_send_signal(int pidfd, int sig) { return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0); }

int swl_mknod(const char *path, mode_t mode, unsigned int major_, unsigned int minor_) {
    return mknod(path, mode, makedev(major_, minor_));
}

int swl_inotify_init(void) { return inotify_init1(IN_CLOEXEC | IN_NONBLOCK); }

int swl_set_controlling_tty(int fd) { return ioctl(fd, TIOCSCTTY, 0); }
int swl_set_winsize(int fd, unsigned short rows, unsigned short cols) {
    struct winsize ws = {.ws_row = rows, .ws_col = cols};
    return ioctl(fd, TIOCSWINSZ, &ws);
}
int swl_open_pty(int *master, int *replica) {
    int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (m < 0) return -1;
    if (grantpt(m) != 0 || unlockpt(m) != 0) { int e = errno; close(m); errno = e; return -1; }
    char name[64];
    if (ptsname_r(m, name, sizeof(name)) != 0) { int e = errno; close(m); errno = e; return -1; }
    int r = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (r < 0) { int e = errno; close(m); errno = e; return -1; }
    *master = m;
    *replica = r;
    return 0;
}

int swl_get_winsize(int fd, unsigned short *rows, unsigned short *cols) {
    struct winsize ws;
    if (ioctl(fd, TIOCGWINSZ, &ws) != 0) return -1;
    *rows = ws.ws_row;
    *cols = ws.ws_col;
    return 0;
}

int swl_loopback_up(void) {
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
    int rc = ioctl(fd, SIOCGIFFLAGS, &ifr);
    if (rc == 0) {
        ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
        rc = ioctl(fd, SIOCSIFFLAGS, &ifr);
    }
    int saved = errno;
    close(fd);
    errno = saved;
    return rc;
}

int swl_errno(void) { return errno; }
int swl_wifexited(int status) { return WIFEXITED(status); }
int swl_wexitstatus(int status) { return WEXITSTATUS(status); }
int swl_wifsignaled(int status) { return WIFSIGNALED(status); }
int swl_wtermsig(int status) { return WTERMSIG(status); }

int swl_pipe_cloexec(int fds[2]) { return pipe2(fds, O_CLOEXEC); }

int swl_signalfd_read(int fd) {
    struct signalfd_siginfo info;
    ssize_t n = read(fd, &info, sizeof(info));
    if (n != (ssize_t)sizeof(info)) return -1;
    return (int)info.ssi_signo;
}

int swl_accept_cloexec(int fd) { return accept4(fd, NULL, NULL, SOCK_CLOEXEC); }

int swl_inotify_add_watch(int fd, const char *path, uint32_t mask) { return inotify_add_watch(fd, path, mask); }
int swl_inotify_rm_watch(int fd, int wd) { return inotify_rm_watch(fd, wd); }

int swl_spawn_closefrom(posix_spawn_file_actions_t *actions, int lowfd) {
    return posix_spawn_file_actions_addclosefrom_np(actions, lowfd);
}

int swl_close_range(unsigned int first) { return (int)syscall(SYS_close_range, first, ~0U, 0); }

#include <grp.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

int swl_set_keepcaps(int on) { return prctl(PR_SET_KEEPCAPS, on, 0, 0, 0); }
int swl_set_no_new_privs(void) { return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); }
int swl_setresuid(uid_t uid) { return setresuid(uid, uid, uid); }
int swl_setresgid(gid_t gid) { return setresgid(gid, gid, gid); }
int swl_setgroups(size_t count, const gid_t *groups) { return setgroups(count, groups); }

int swl_install_seccomp(const void *filter, size_t bytes) {
    struct sock_fprog prog = {
        .len = (unsigned short)(bytes / sizeof(struct sock_filter)),
        .filter = (struct sock_filter *)filter,
    };
    return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0);
}

int swl_send_fd(int socket, int fd) {
    char byte = 't';
    struct iovec iov = {.iov_base = &byte, .iov_len = 1};
    union { char buf[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } control;
    memset(&control, 0, sizeof(control));
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf, .msg_controllen = sizeof(control.buf)};
    struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
    cmsg->cmsg_level = SOL_SOCKET;
    cmsg->cmsg_type = SCM_RIGHTS;
    cmsg->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
    ssize_t n;
    do { n = sendmsg(socket, &msg, MSG_NOSIGNAL); } while (n < 0 && errno == EINTR);
    return n == 1 ? 0 : -1;
}

int swl_recv_fd(int socket) {
    char byte;
    struct iovec iov = {.iov_base = &byte, .iov_len = 1};
    union { char buf[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } control;
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf, .msg_controllen = sizeof(control.buf)};
    ssize_t n;
    do { n = recvmsg(socket, &msg, MSG_CMSG_CLOEXEC); } while (n < 0 && errno == EINTR);
    if (n <= 0) { if (n == 0) errno = 0; return -1; }
    struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
    if (cmsg == NULL || cmsg->cmsg_level != SOL_SOCKET || cmsg->cmsg_type != SCM_RIGHTS) { errno = EPROTO; return -1; }
    int fd;
    memcpy(&fd, CMSG_DATA(cmsg), sizeof(int));
    return fd;
}

int swl_set_controlling_terminal(int fd) { return ioctl(fd, TIOCSCTTY, 0); }

#include <malloc.h>

int swl_malloc_arena_max(int arenas) { return mallopt(M_ARENA_MAX, arenas); }

int swl_malloc_trim(void) { return malloc_trim(0); }

int swl_open(const char *path, int flags, mode_t mode) { return open(path, flags, mode); }
int swl_openat(int dirfd, const char *path, int flags, mode_t mode) { return openat(dirfd, path, flags, mode); }
int swl_fcntl(int fd, int cmd, int arg) { return fcntl(fd, cmd, arg); }
void swl_signal_ignore(int sig) { signal(sig, SIG_IGN); }
void swl_signal_default(int sig) { signal(sig, SIG_DFL); }

static int saved_argc;
static char *const *saved_argv;

// glibc calls .init_array functions with (argc, argv, envp), in static executables too.
__attribute__((constructor)) static void swl_save_arguments(int argc, char **argv, char **envp) {
    (void)envp;
    saved_argc = argc;
    saved_argv = argv;
}

int swl_argc(void) { return saved_argc; }
char *const *swl_argv(void) { return saved_argv; }
