import CSwiftletShim
import Glibc
import SwiftletLaunch
import SwiftletSystem

struct ContainerSetupError: Error, CustomStringConvertible {
    var stage: String
    var detail: String
    var description: String { "\(stage): \(detail)" }
}

/// The setup sequence, one small step each; the order matters where commented.
struct ContainerSetup {
    let spec: LaunchSpec

    func run() throws -> Never {
        // Join the cgroups first, so everything below (and the command) is accounted there.
        try joinCgroups()
        try setOOMScore()
        let seccomp = try loadSeccompFilter()
        // Our mount namespace is a copy of the host's: stop propagation both ways before mounting.
        try mount(nil, "/", nil, rootPropagation, stage: "make / private")
        try mount(spec.rootfs, spec.rootfs, nil, SWL_MS_BIND | SWL_MS_REC, stage: "bind rootfs")
        try mountProc()
        try mountDev()
        try mountSys()
        try bindMounts()
        try mountVolumes()
        try pivotRoot()
        try enterWorkingDirectory()
        try attachTerminal()
        if let security = spec.security {
            try maskPaths(security)
            try applyIdentityAndCapabilities(security, seccomp: seccomp)
        }
        try execCommand()
    }

    func joinCgroups() throws {
        // Through `tasks` on v1: no global lock, no RCU grace period (see CgroupSelfJoin).
        do { try CgroupSelfJoin.join(spec.cgroupProcs) } catch {
            throw ContainerSetupError(stage: "join cgroup", detail: "\(error)")
        }
    }

    /// Best effort: lowering the score needs CAP_SYS_RESOURCE, which root lacks on some hosts (these
    /// test machines among them); a container must not fail to start over its OOM preference.
    func setOOMScore() throws {
        guard let value = spec.oomScoreAdj else { return }
        try? FileIO.write("/proc/self/oom_score_adj", String(value))
    }

    func mount(_ source: String?, _ target: String, _ type: String?, _ flags: UInt, data: String? = nil, stage: String) throws {
        if swl_mount(source, target, type, flags, data) != 0 {
            throw ContainerSetupError(stage: stage, detail: "\(SystemError("mount", target))")
        }
    }

    func inRoot(_ path: String) -> String { spec.rootfs + path }

    func ensureDirectory(_ path: String) throws {
        do { try FileIO.makeDirectories(path) } catch {
            throw ContainerSetupError(stage: "create mount point", detail: "\(error)")
        }
    }

    /// A fresh procfs: we are PID 1 of a new pid namespace, so it lists only the container's processes.
    func mountProc() throws {
        try ensureDirectory(inRoot("/proc"))
        try mount("proc", inRoot("/proc"), "proc", SWL_MS_NOSUID | SWL_MS_NODEV | SWL_MS_NOEXEC, stage: "mount /proc")
    }

    /// A minimal /dev on tmpfs, the device set the OCI runtimes give every container.
    func mountDev() throws {
        let dev = inRoot("/dev")
        try ensureDirectory(dev)
        if spec.security?.privileged == true {
            // Privileged containers see the host's devices (runc binds them; the whole /dev is simpler).
            try mount("/dev", dev, nil, SWL_MS_BIND | SWL_MS_REC, stage: "bind host /dev")
            return
        }
        try mount("tmpfs", dev, "tmpfs", SWL_MS_NOSUID | SWL_MS_STRICTATIME, data: "mode=755,size=65536k", stage: "mount /dev")
        let devices: [(String, UInt32, UInt32)] = [
            ("null", 1, 3), ("zero", 1, 5), ("full", 1, 7), ("random", 1, 8), ("urandom", 1, 9), ("tty", 5, 0),
        ]
        for (name, major, minor) in devices {
            let path = dev + "/" + name
            if swl_mknod(path, mode_t(S_IFCHR) | 0o666, major, minor) != 0 {
                throw ContainerSetupError(stage: "create /dev/\(name)", detail: "\(SystemError("mknod", path))")
            }
            chmod(path, 0o666)  // mknod honours the umask
        }
        try ensureDirectory(dev + "/pts")
        try mount(
            "devpts", dev + "/pts", "devpts", SWL_MS_NOSUID | SWL_MS_NOEXEC,
            data: "newinstance,ptmxmode=0666,mode=0620,gid=5", stage: "mount /dev/pts")
        try ensureDirectory(dev + "/shm")
        try ensureDirectory(dev + "/mqueue")
        let links = [
            ("ptmx", "pts/ptmx"), ("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"),
            ("stdout", "/proc/self/fd/1"), ("stderr", "/proc/self/fd/2"), ("core", "/proc/kcore"),
        ]
        for (name, target) in links where symlink(target, dev + "/" + name) != 0 {
            throw ContainerSetupError(stage: "create /dev/\(name)", detail: "\(SystemError("symlink", dev + "/" + name))")
        }
    }

    /// /sys read-only. A new sysfs shows the pod's network namespace; fall back to a read-only
    /// bind of the host's when the kernel refuses a fresh instance.
    func mountSys() throws {
        let sys = inRoot("/sys")
        try ensureDirectory(sys)
        let flags = (spec.security?.privileged == true ? 0 : SWL_MS_RDONLY) | SWL_MS_NOSUID | SWL_MS_NODEV | SWL_MS_NOEXEC
        if swl_mount("sysfs", sys, "sysfs", flags, nil) == 0 { return }
        try mount("/sys", sys, nil, SWL_MS_BIND | SWL_MS_REC, stage: "bind /sys")
        try mount(nil, sys, nil, SWL_MS_BIND | SWL_MS_REMOUNT | flags, stage: "remount /sys read-only")
    }

    /// Pod-level files and directories (/etc/hosts, /etc/hostname, /dev/shm) shared by all containers.
    func bindMounts() throws {
        for bind in spec.binds {
            let target = inRoot(bind.destination)
            var st = stat()
            guard stat(bind.source, &st) == 0 else {
                throw ContainerSetupError(stage: "bind \(bind.destination)", detail: "\(SystemError("stat", bind.source))")
            }
            if (st.st_mode & S_IFMT) == S_IFDIR {
                try ensureDirectory(target)
            } else if !FileIO.exists(target) {
                let parent = String(target[..<(target.lastIndex(of: "/") ?? target.endIndex)])
                try ensureDirectory(parent)
                let fd = open(target, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
                if fd < 0 {
                    throw ContainerSetupError(stage: "bind \(bind.destination)", detail: "\(SystemError("create", target))")
                }
                close(fd)
            }
            try mount(bind.source, target, nil, SWL_MS_BIND, stage: "bind \(bind.destination)")
            if bind.readOnly {
                try mount(nil, target, nil, SWL_MS_BIND | SWL_MS_REMOUNT | SWL_MS_RDONLY, stage: "remount \(bind.destination) read-only")
            }
        }
    }

    /// pivot_root(".", ".") then detaching the old root leaves no trace of the host's tree
    /// (runc's technique; no temporary directory inside the image needed).
    func pivotRoot() throws {
        guard chdir(spec.rootfs) == 0 else {
            throw ContainerSetupError(stage: "pivot_root", detail: "\(SystemError("chdir", spec.rootfs))")
        }
        guard swl_pivot_root(".", ".") == 0 else {
            throw ContainerSetupError(stage: "pivot_root", detail: "\(SystemError("pivot_root", spec.rootfs))")
        }
        guard swl_umount2(".", SWL_MNT_DETACH) == 0 else {
            throw ContainerSetupError(stage: "pivot_root", detail: "\(SystemError("umount", "old root"))")
        }
        _ = chdir("/")
    }

    /// Like runc, a missing working directory is created.
    func enterWorkingDirectory() throws {
        let cwd = spec.workingDirectory.isEmpty ? "/" : spec.workingDirectory
        try ensureDirectory(cwd)
        guard chdir(cwd) == 0 else {
            throw ContainerSetupError(stage: "enter working directory", detail: "\(SystemError("chdir", cwd))")
        }
    }

    func execCommand() throws -> Never {
        let command = spec.arguments[0]
        let path = try resolveExecutable(command)
        let argv = spec.arguments.map { strdup($0) } + [nil]
        let envp = spec.environment.map { strdup($0) } + [nil]
        execve(path, argv, envp)
        throw ContainerSetupError(stage: "exec", detail: "\(SystemError("exec", "\"\(command)\""))")
    }

    /// `$PATH` lookup in the container's environment, with the messages runc gives.
    func resolveExecutable(_ command: String) throws -> String {
        if command.contains("/") { return command }
        let pathVariable = spec.environment.first { $0.hasPrefix("PATH=") }.map { String($0.dropFirst(5)) }
            ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
        for dir in pathVariable.split(separator: ":") {
            let candidate = dir + "/" + command
            var st = stat()
            if stat(candidate, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, access(candidate, X_OK) == 0 {
                return candidate
            }
        }
        throw ContainerSetupError(stage: "exec", detail: "\"\(command)\": executable file not found in $PATH")
    }
}
