/// Built-in profiles.
public enum SeccompProfiles {
    /// The profile a pod gets for `seccompProfile: {type: RuntimeDefault}`: containerd's default
    /// (`contrib/seccomp/seccomp_default.go`) carried over as data. containerd builds it per
    /// container in code; here the capability, architecture and kernel conditions are expressed
    /// as `includes` / `excludes` so one value serves every container and `compileSeccompFilter`
    /// resolves them against the container's bounding set.
    ///
    /// Everything not listed fails with EPERM, which is how keyctl, add_key, request_key,
    /// kexec_*, open_by_handle_at without CAP_DAC_READ_SEARCH and namespace creation without
    /// CAP_SYS_ADMIN are refused.
    public static let runtimeDefault = SeccompProfile(
        defaultAction: "SCMP_ACT_ERRNO",
        // A 64-bit host also runs its 32-bit (and x32) binaries, which enter through another
        // syscall table; without these arches they would be killed rather than filtered.
        archMap: [
            .init(architecture: "SCMP_ARCH_X86_64", subArchitectures: ["SCMP_ARCH_X86", "SCMP_ARCH_X32"]),
            .init(architecture: "SCMP_ARCH_AARCH64", subArchitectures: ["SCMP_ARCH_ARM"]),
            .init(architecture: "SCMP_ARCH_MIPS64", subArchitectures: ["SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64N32"]),
            .init(architecture: "SCMP_ARCH_MIPS64N32", subArchitectures: ["SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64"]),
            .init(architecture: "SCMP_ARCH_MIPSEL64", subArchitectures: ["SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64N32"]),
            .init(architecture: "SCMP_ARCH_MIPSEL64N32", subArchitectures: ["SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64"]),
            .init(architecture: "SCMP_ARCH_S390X", subArchitectures: ["SCMP_ARCH_S390"]),
            .init(architecture: "SCMP_ARCH_RISCV64"),
        ],
        syscalls: runtimeDefaultSyscalls)

    private static let runtimeDefaultSyscalls: [SeccompProfile.Syscall] = [
        allow(allowedSyscalls),
    ]
        // personality(2) only for the personas programs actually ask for: PER_LINUX, PER_LINUX32,
        // UNAME26 variants, and 0xffffffff (a query); ADDR_NO_RANDOMIZE and friends stay refused.
        + [0x0, 0x0008, 0x20000, 0x20008, 0xffff_ffff].map { persona in
            allow(["personality"], args: [.init(index: 0, value: persona, op: "SCMP_CMP_EQ")])
        }
        + [
            // ptrace could bypass seccomp before 4.8 (the filter ran before the tracer changed the call).
            allow(["ptrace"], includes: .init(minKernel: "4.8")),

            allow(["sync_file_range2", "swapcontext"], includes: .init(arches: ["ppc64le"])),
            allow(
                ["arm_fadvise64_64", "arm_sync_file_range", "sync_file_range2", "breakpoint", "cacheflush", "set_tls"],
                includes: .init(arches: ["arm", "arm64"])),
            allow(["arch_prctl", "modify_ldt"], includes: .init(arches: ["amd64"])),
            allow(["modify_ldt"], includes: .init(arches: ["x86"])),
            allow(["s390_pci_mmio_read", "s390_pci_mmio_write", "s390_runtime_instr"], includes: .init(arches: ["s390", "s390x"])),
            allow(["riscv_flush_icache"], includes: .init(arches: ["riscv64"])),

            allow(["open_by_handle_at"], includes: .init(caps: ["CAP_DAC_READ_SEARCH"])),
            allow(
                [
                    "bpf", "clone", "clone3", "fanotify_init", "fsconfig", "fsmount", "fsopen", "fspick", "lookup_dcookie",
                    "mount", "mount_setattr", "move_mount", "name_to_handle_at", "open_tree", "perf_event_open", "quotactl",
                    "quotactl_fd", "setdomainname", "sethostname", "setns", "syslog", "umount", "umount2", "unshare",
                ],
                includes: .init(caps: ["CAP_SYS_ADMIN"])),
            allow(["reboot"], includes: .init(caps: ["CAP_SYS_BOOT"])),
            allow(["chroot"], includes: .init(caps: ["CAP_SYS_CHROOT"])),
            allow(["delete_module", "init_module", "finit_module"], includes: .init(caps: ["CAP_SYS_MODULE"])),
            allow(["acct"], includes: .init(caps: ["CAP_SYS_PACCT"])),
            allow(
                ["kcmp", "pidfd_getfd", "process_madvise", "process_vm_readv", "process_vm_writev", "ptrace"],
                includes: .init(caps: ["CAP_SYS_PTRACE"])),
            allow(["iopl", "ioperm"], includes: .init(caps: ["CAP_SYS_RAWIO"])),
            allow(["settimeofday", "stime", "clock_settime", "clock_settime64"], includes: .init(caps: ["CAP_SYS_TIME"])),
            allow(["vhangup"], includes: .init(caps: ["CAP_SYS_TTY_CONFIG"])),
            allow(["syslog"], includes: .init(caps: ["CAP_SYSLOG"])),
            allow(["bpf"], includes: .init(caps: ["CAP_BPF"])),
            allow(["perf_event_open"], includes: .init(caps: ["CAP_PERFMON"])),

            // Without CAP_SYS_ADMIN, clone may not create namespaces. s390 swaps clone's first two
            // arguments, so the flags are argument 1 there.
            allow(
                ["clone"], args: [.init(index: 0, value: newNamespaceFlags, valueTwo: 0, op: "SCMP_CMP_MASKED_EQ")],
                excludes: .init(caps: ["CAP_SYS_ADMIN"], arches: ["s390", "s390x"])),
            allow(
                ["clone"], args: [.init(index: 1, value: newNamespaceFlags, valueTwo: 0, op: "SCMP_CMP_MASKED_EQ")],
                includes: .init(arches: ["s390", "s390x"]), excludes: .init(caps: ["CAP_SYS_ADMIN"])),
            // clone3 passes its flags in memory, where BPF cannot look; ENOSYS (not EPERM) makes
            // glibc and others fall back to clone, which the rule above can check.
            SeccompProfile.Syscall(
                names: ["clone3"], action: "SCMP_ACT_ERRNO", errnoRet: 38 /* ENOSYS */,
                excludes: .init(caps: ["CAP_SYS_ADMIN"])),
        ]

    /// CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWCGROUP
    static let newNamespaceFlags: UInt64 = 0x0002_0000 | 0x0400_0000 | 0x0800_0000 | 0x1000_0000 | 0x2000_0000
        | 0x4000_0000 | 0x0200_0000

    private static func allow(
        _ names: [String], args: [SeccompProfile.Arg]? = nil, includes: SeccompProfile.Filter? = nil,
        excludes: SeccompProfile.Filter? = nil
    ) -> SeccompProfile.Syscall {
        SeccompProfile.Syscall(names: names, action: "SCMP_ACT_ALLOW", args: args, includes: includes, excludes: excludes)
    }

    private static let allowedSyscalls: [String] = [
            "accept", "accept4", "access", "adjtimex", "alarm", "bind", "brk", "capget", "capset", "chdir", "chmod",
            "chown", "chown32", "clock_adjtime", "clock_adjtime64", "clock_getres", "clock_getres_time64",
            "clock_gettime", "clock_gettime64", "clock_nanosleep", "clock_nanosleep_time64", "close", "close_range",
            "connect", "copy_file_range", "creat", "dup", "dup2", "dup3", "epoll_create", "epoll_create1",
            "epoll_ctl", "epoll_ctl_old", "epoll_pwait", "epoll_pwait2", "epoll_wait", "epoll_wait_old", "eventfd",
            "eventfd2", "execve", "execveat", "exit", "exit_group", "faccessat", "faccessat2", "fadvise64",
            "fadvise64_64", "fallocate", "fanotify_mark", "fchdir", "fchmod", "fchmodat", "fchown", "fchown32",
            "fchownat", "fcntl", "fcntl64", "fdatasync", "fgetxattr", "flistxattr", "flock", "fork", "fremovexattr",
            "fsetxattr", "fstat", "fstat64", "fstatat64", "fstatfs", "fstatfs64", "fsync", "ftruncate",
            "ftruncate64", "futex", "futex_time64", "futex_waitv", "futimesat", "getcpu", "getcwd", "getdents",
            "getdents64", "getegid", "getegid32", "geteuid", "geteuid32", "getgid", "getgid32", "getgroups",
            "getgroups32", "getitimer", "getpeername", "getpgid", "getpgrp", "getpid", "getppid", "getpriority",
            "getrandom", "getresgid", "getresgid32", "getresuid", "getresuid32", "getrlimit", "get_robust_list",
            "getrusage", "getsid", "getsockname", "getsockopt", "get_thread_area", "gettid", "gettimeofday",
            "getuid", "getuid32", "getxattr", "inotify_add_watch", "inotify_init", "inotify_init1",
            "inotify_rm_watch", "io_cancel", "ioctl", "io_destroy", "io_getevents", "io_pgetevents",
            "io_pgetevents_time64", "ioprio_get", "ioprio_set", "io_setup", "io_submit", "io_uring_enter",
            "io_uring_register", "io_uring_setup", "ipc", "kill", "landlock_add_rule", "landlock_create_ruleset",
            "landlock_restrict_self", "lchown", "lchown32", "lgetxattr", "link", "linkat", "listen", "listxattr",
            "llistxattr", "_llseek", "lremovexattr", "lseek", "lsetxattr", "lstat", "lstat64", "madvise",
            "membarrier", "memfd_create", "memfd_secret", "mincore", "mkdir", "mkdirat", "mknod", "mknodat", "mlock",
            "mlock2", "mlockall", "mmap", "mmap2", "mprotect", "mq_getsetattr", "mq_notify", "mq_open",
            "mq_timedreceive", "mq_timedreceive_time64", "mq_timedsend", "mq_timedsend_time64", "mq_unlink",
            "mremap", "msgctl", "msgget", "msgrcv", "msgsnd", "msync", "munlock", "munlockall", "munmap",
            "nanosleep", "newfstatat", "_newselect", "open", "openat", "openat2", "pause", "pidfd_open",
            "pidfd_send_signal", "pipe", "pipe2", "poll", "ppoll", "ppoll_time64", "prctl", "pread64", "preadv",
            "preadv2", "prlimit64", "process_mrelease", "pselect6", "pselect6_time64", "pwrite64", "pwritev",
            "pwritev2", "read", "readahead", "readlink", "readlinkat", "readv", "recv", "recvfrom", "recvmmsg",
            "recvmmsg_time64", "recvmsg", "remap_file_pages", "removexattr", "rename", "renameat", "renameat2",
            "restart_syscall", "rmdir", "rseq", "rt_sigaction", "rt_sigpending", "rt_sigprocmask", "rt_sigqueueinfo",
            "rt_sigreturn", "rt_sigsuspend", "rt_sigtimedwait", "rt_sigtimedwait_time64", "rt_tgsigqueueinfo",
            "sched_getaffinity", "sched_getattr", "sched_getparam", "sched_get_priority_max",
            "sched_get_priority_min", "sched_getscheduler", "sched_rr_get_interval", "sched_rr_get_interval_time64",
            "sched_setaffinity", "sched_setattr", "sched_setparam", "sched_setscheduler", "sched_yield", "seccomp",
            "select", "semctl", "semget", "semop", "semtimedop", "semtimedop_time64", "send", "sendfile",
            "sendfile64", "sendmmsg", "sendmsg", "sendto", "setfsgid", "setfsgid32", "setfsuid", "setfsuid32",
            "setgid", "setgid32", "setgroups", "setgroups32", "setitimer", "setpgid", "setpriority", "setregid",
            "setregid32", "setresgid", "setresgid32", "setresuid", "setresuid32", "setreuid", "setreuid32",
            "setrlimit", "set_robust_list", "setsid", "setsockopt", "set_thread_area", "set_tid_address", "setuid",
            "setuid32", "setxattr", "shmat", "shmctl", "shmdt", "shmget", "shutdown", "sigaltstack", "signalfd",
            "signalfd4", "sigprocmask", "sigreturn", "socket", "socketcall", "socketpair", "splice", "stat",
            "stat64", "statfs", "statfs64", "statx", "symlink", "symlinkat", "sync", "sync_file_range", "syncfs",
            "sysinfo", "tee", "tgkill", "time", "timer_create", "timer_delete", "timer_getoverrun", "timer_gettime",
            "timer_gettime64", "timer_settime", "timer_settime64", "timerfd_create", "timerfd_gettime",
            "timerfd_gettime64", "timerfd_settime", "timerfd_settime64", "times", "tkill", "truncate", "truncate64",
            "ugetrlimit", "umask", "uname", "unlink", "unlinkat", "utime", "utimensat", "utimensat_time64", "utimes",
            "vfork", "vmsplice", "wait4", "waitid", "waitpid", "write", "writev",
    ]
}
