import CSwiftletShim
import Glibc
import SwiftletLaunch
import SwiftletSystem

/// `swiftlet-init exec LAUNCH_FILE PID tty|notty COMMAND...`: runs COMMAND inside a running
/// container the way runc's `exec` does — the container's cgroups, its (and the pod's) ipc, uts,
/// net, pid and mount namespaces, its root, working directory, environment, user, capabilities,
/// no_new_privs and seccomp filter. Spawned by the agent (never forked from it).
///
/// Joining a pid namespace only applies to children, so this process forks once: the child
/// becomes the command; the parent stays outside the container's pid namespace, relays the
/// terminal (`tty`) and exits with the command's status (128 + signal when it was killed).
///
/// Descriptors from the agent: 0 stdin, 1 stdout, 2 stderr, and with `tty` 3: terminal sizes,
/// one `COLUMNS ROWS` line each.
struct ExecSession {
    let spec: LaunchSpec
    let target: pid_t
    let tty: Bool
    let command: [String]

    /// Exit codes of a failed exec, the shell's: 126 cannot run, 127 not found.
    static let cannotRun: Int32 = 126
    static let notFound: Int32 = 127

    func run() throws -> Never {
        try waitForContainerCommand()
        let setup = ContainerSetup(spec: containerSpec())
        let seccomp = try setup.loadSeccompFilter()
        // Every namespace is opened before joining any: after the mount namespace, /proc/PID is the container's.
        let namespaces: [(String, UInt)] = [
            ("ipc", SWL_CLONE_NEWIPC), ("uts", SWL_CLONE_NEWUTS), ("net", SWL_CLONE_NEWNET), ("pid", SWL_CLONE_NEWPID),
            ("mnt", SWL_CLONE_NEWNS),
        ]
        var fds: [(Int32, String, UInt)] = []
        for (name, flag) in namespaces {
            let path = "/proc/\(target)/ns/\(name)"
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw ContainerSetupError(stage: "open \(path)", detail: "\(SystemError("open", path))") }
            fds.append((fd, path, flag))
        }
        let rootPath = "/proc/\(target)/root"
        let root = open(rootPath, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard root >= 0 else { throw ContainerSetupError(stage: "open \(rootPath)", detail: "\(SystemError("open", rootPath))") }
        // The cgroup files are host paths: joined before entering the container's mount namespace.
        try setup.joinCgroups()
        for (fd, path, flag) in fds {
            guard swl_setns(fd, Int32(flag)) == 0 else { throw ContainerSetupError(stage: "setns(\(path))", detail: "\(SystemError("setns", path))") }
            close(fd)
        }
        // setns(mnt) leaves us at the namespace's original root; the container's is where it pivoted to.
        guard fchdir(root) == 0, chroot(".") == 0 else {
            throw ContainerSetupError(stage: "enter the container's root", detail: "\(SystemError("chroot", rootPath))")
        }
        close(root)
        let terminal = tty ? try PseudoTerminal.open() : nil
        // Blocked before the fork, so a command that exits at once is not missed.
        let signals = tty ? try SignalDescriptor(signals: [SIGCHLD]) : nil
        let child = fork()
        guard child >= 0 else { throw ContainerSetupError(stage: "fork", detail: "\(SystemError("fork"))") }
        if child == 0 {
            var none = sigset_t()
            sigemptyset(&none)
            sigprocmask(SIG_SETMASK, &none, nil)
            if let signals { close(signals.fd) }
            becomeCommand(setup, terminal: terminal, seccomp: seccomp)
        }
        if let terminal, let signals {
            close(terminal.replica)
            var relay = TerminalRelay(master: terminal.master, child: child, signals: signals)
            exit(relay.run())
        }
        // The command has its own copies of stdio: ours go, so end-of-output is the command's.
        let null = open("/dev/null", O_RDWR)
        for fd: Int32 in 0...2 { dup2(null, fd) }
        exit(Self.waitFor(child))
    }

    /// A container process that is still swiftlet-init (the same executable as us) is between clone
    /// and exec: its root is not pivoted yet, and joining it would run the command on the host's
    /// tree. Wait (briefly) until it has exec'd the container's command.
    func waitForContainerCommand() throws {
        var ours = stat()
        guard stat("/proc/self/exe", &ours) == 0 else { throw ContainerSetupError(stage: "exec", detail: "\(SystemError("stat", "/proc/self/exe"))") }
        for _ in 0..<1000 {
            var theirs = stat()
            guard stat("/proc/\(target)/exe", &theirs) == 0 else {
                throw ContainerSetupError(stage: "exec", detail: "container process \(target) is gone")
            }
            // Not swiftlet-init (nor the pause process just before it execs swiftlet-init: its root is still ours).
            var root = stat()
            var ourRoot = stat()
            let pivoted = stat("/proc/\(target)/root/", &root) == 0 && stat("/", &ourRoot) == 0
                && (root.st_dev != ourRoot.st_dev || root.st_ino != ourRoot.st_ino)
            if pivoted && (theirs.st_dev != ours.st_dev || theirs.st_ino != ours.st_ino) { return }
            usleep(10_000)
        }
        throw ContainerSetupError(stage: "exec", detail: "container process \(target) is still being set up")
    }

    /// The container's launch spec with the exec'd command (and TERM for a terminal, as containerd sets it).
    func containerSpec() -> LaunchSpec {
        var exec = spec
        exec.arguments = command
        if tty && !exec.environment.contains(where: { $0.hasPrefix("TERM=") }) { exec.environment.append("TERM=xterm") }
        return exec
    }

    /// In the forked child: a session of its own with the terminal as controlling tty, the
    /// container's working directory and identity, then exec. Errors go to its stderr.
    func becomeCommand(_ setup: ContainerSetup, terminal: PseudoTerminal?, seccomp: [UInt8]?) -> Never {
        setsid()
        do {
            if let terminal {
                close(terminal.master)
                if let security = setup.spec.security {
                    _ = fchown(terminal.replica, uid_t(security.uid), gid_t(security.gid))
                }
                guard swl_set_controlling_tty(terminal.replica) == 0 else {
                    throw ContainerSetupError(stage: "set controlling terminal", detail: "\(SystemError("ioctl", "TIOCSCTTY"))")
                }
                for fd: Int32 in 0...2 { dup2(terminal.replica, fd) }
                if terminal.replica > 2 { close(terminal.replica) }
                // fd 3 (terminal sizes) belongs to the relay.
                close(3)
            }
            try setup.enterWorkingDirectory()
            let path: String
            do { path = try setup.resolveExecutable(command[0]) } catch {
                FileIO.report("swiftlet exec: \(error)")
                _exit(Self.notFound)
            }
            if let security = setup.spec.security { try setup.applyIdentityAndCapabilities(security, seccomp: seccomp) }
            // Last, since a credential change clears it: the command dies with the session's relay.
            _ = swl_set_pdeathsig(SIGKILL)
            let argv = command.map { strdup($0) } + [nil]
            let envp = setup.spec.environment.map { strdup($0) } + [nil]
            execve(path, argv, envp)
            let code = errno == ENOENT ? Self.notFound : Self.cannotRun
            FileIO.report("swiftlet exec: \(SystemError("exec", "\"\(command[0])\""))")
            _exit(code)
        } catch {
            FileIO.report("swiftlet exec: \(error)")
            _exit(Self.cannotRun)
        }
    }

    static func waitFor(_ child: pid_t) -> Int32 {
        while true {
            var status: Int32 = 0
            let rc = waitpid(child, &status, 0)
            if rc == child { return ExitStatus(waitStatus: status).exitCode }
            if rc < 0 && errno != EINTR { return cannotRun }
        }
    }
}

/// A pseudo-terminal of the container's own devpts instance, so `tty` inside names a device
/// that exists there (/dev/pts/N).
struct PseudoTerminal {
    var master: Int32
    var replica: Int32

    static func open() throws -> PseudoTerminal {
        var master: Int32 = -1
        var replica: Int32 = -1
        guard swl_open_pty(&master, &replica) == 0 else {
            throw ContainerSetupError(stage: "open a pseudo-terminal", detail: "\(SystemError("open", "/dev/ptmx"))")
        }
        return PseudoTerminal(master: master, replica: replica)
    }
}

/// Copies stdin to the terminal and the terminal to stdout, applies size changes from fd 3,
/// and returns the command's exit status once it has exited and its output is drained.
struct TerminalRelay {
    let master: Int32
    let child: pid_t
    let signals: SignalDescriptor
    var pendingInput: [UInt8] = []
    var stdinOpen = true
    var sizesOpen = true
    var sizeLine: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 16 * 1024)

    init(master: Int32, child: pid_t, signals: SignalDescriptor) {
        self.master = master
        self.child = child
        self.signals = signals
    }

    mutating func run() -> Int32 {
        // Non-blocking: input waits in our buffer rather than blocking us while the command's output piles up.
        _ = fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK)
        var exitCode: Int32?
        var masterOpen = true
        while exitCode == nil {
            var fds = [pollfd(fd: signals.fd, events: Int16(POLLIN), revents: 0)]
            fds.append(pollfd(fd: masterOpen ? master : -1, events: Int16(POLLIN) | (pendingInput.isEmpty ? 0 : Int16(POLLOUT)), revents: 0))
            fds.append(pollfd(fd: stdinOpen && pendingInput.isEmpty ? 0 : -1, events: Int16(POLLIN), revents: 0))
            fds.append(pollfd(fd: sizesOpen ? 3 : -1, events: Int16(POLLIN), revents: 0))
            if poll(&fds, nfds_t(fds.count), -1) < 0 { continue }
            if fds[1].revents & Int16(POLLOUT) != 0 { flushInput() }
            if fds[1].revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 { masterOpen = copyOutput() }
            if fds[2].revents != 0 { readInput() }
            if fds[3].revents != 0 { readSizes() }
            if fds[0].revents != 0 {
                _ = signals.drain()
                var status: Int32 = 0
                if waitpid(child, &status, WNOHANG) == child { exitCode = ExitStatus(waitStatus: status).exitCode }
            }
        }
        // What the command wrote just before exiting is still in the terminal.
        while masterOpen && copyOutput() {}
        return exitCode ?? ExecSession.cannotRun
    }

    /// False once the terminal has nothing more (EIO: every replica closed; EAGAIN: drained for now).
    mutating func copyOutput() -> Bool {
        let n = buffer.withUnsafeMutableBytes { read(master, $0.baseAddress, $0.count) }
        if n > 0 {
            do { try FileIO.writeAll(1, Array(buffer[0..<n]), subject: "exec stdout") } catch { return false }
            return true
        }
        if n < 0 && errno == EINTR { return true }
        return false
    }

    mutating func readInput() {
        let n = buffer.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
        if n > 0 {
            pendingInput.append(contentsOf: buffer[0..<n])
            flushInput()
        } else if n == 0 || errno != EINTR {
            // The client closed stdin: the terminal stays (a shell reads its EOF only when asked by ^D).
            stdinOpen = false
        }
    }

    mutating func flushInput() {
        while !pendingInput.isEmpty {
            let n = pendingInput.withUnsafeBytes { write(master, $0.baseAddress, $0.count) }
            if n <= 0 { return }
            pendingInput.removeFirst(n)
        }
    }

    mutating func readSizes() {
        let n = buffer.withUnsafeMutableBytes { read(3, $0.baseAddress, $0.count) }
        guard n > 0 else {
            if n == 0 || errno != EINTR { sizesOpen = false }
            return
        }
        sizeLine.append(contentsOf: buffer[0..<n])
        while let newline = sizeLine.firstIndex(of: 0x0A) {
            let line = String(decoding: sizeLine[..<newline], as: UTF8.self)
            sizeLine.removeFirst(newline + 1)
            let parts = line.split(separator: " ").compactMap { UInt16($0) }
            if parts.count == 2 { _ = swl_set_winsize(master, parts[1], parts[0]) }
        }
    }
}
