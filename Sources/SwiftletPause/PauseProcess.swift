import CSwiftletShim

/// The pause process's state and its event loop.
struct PauseProcess {
    struct Child {
        var name: String
        var attempt: Int
        var pid: pid_t
        /// The container's memory-cgroup OOM counter files and their value when the run started.
        var oomFiles: [String]
        var oomKillsAtStart: UInt64
    }

    let options: PauseOptions
    let signals: SignalDescriptor
    let listenFD: Int32
    /// PID 1 of the shared pid namespace (`shareProcessNamespace: true`), reaping its orphans.
    var namespaceInit: pid_t?
    var children: [pid_t: Child] = [:]
    var streams: [LogStream] = []
    var attachments: [Attachment] = []
    /// Stdin pipes of running `stdin: true` containers, by name.
    var stdins: [String: ContainerStdin] = [:]
    /// Terminal masters of running `tty: true` containers (owned by their LogStream), for resizing.
    var terminals: [String: Int32] = [:]
    /// Log copying's read buffer. Left uninitialised: zero-filling it dirtied 4 pages in every pause
    /// process at once; now a page becomes resident only when a read first reaches into it, so a
    /// quiet container costs none and a container writing short lines one.
    var buffer = [UInt8](unsafeUninitializedCapacity: 16 * 1024) { _, count in count = 16 * 1024 }
    var shuttingDown = false

    init(options: PauseOptions) throws(SystemError) {
        self.options = options
        _ = swl_set_name("swiftlet-pause")
        var flags = SWL_CLONE_NEWIPC
        if !options.hostNetwork { flags |= SWL_CLONE_NEWNET | SWL_CLONE_NEWUTS }
        if options.sharePID { flags |= SWL_CLONE_NEWPID }
        try syscallRetrying("unshare", "pod namespaces") { swl_unshare(flags) }
        if !options.hostNetwork {
            let name = options.hostname
            try syscallRetrying("sethostname", name) { swl_sethostname(name, name.utf8.count) }
            try syscallRetrying("bring up", "lo") { swl_loopback_up() }
        }
        // Orphans of container processes (daemonised children) are reparented to us and reaped here.
        try syscallRetrying("prctl", "PR_SET_CHILD_SUBREAPER") { swl_set_child_subreaper() }
        if options.sharePID { namespaceInit = try PauseProcess.startNamespaceInit() }
        swl_signal_ignore(SIGPIPE)
        signals = try SignalDescriptor(signals: [SIGCHLD, SIGTERM, SIGINT, SIGHUP])
        let dir = options.runDirectory
        try FileIO.makeDirectories(dir.statusDir)
        listenFD = try UnixSocket.listen(path: dir.controlSocket, mode: 0o600)
        var record = KeyValueFile()
        record.append("pid", String(getpid()))
        record.append("startTime", String(ProcessIdentity.startTime(of: getpid()) ?? 0))
        if let nsInit = namespaceInit { record.append("namespaceInit", String(nsInit)) }
        try FileIO.writeAtomically(dir.pauseRecord, record.encoded())
    }

    /// The first child after unshare(CLONE_NEWPID) becomes PID 1 of the pod's shared pid
    /// namespace: it only reaps, like the Kubernetes pause image does.
    static func startNamespaceInit() throws(SystemError) -> pid_t {
        let pid = try syscallRetrying("fork", "pid namespace init") { fork() }
        if pid == 0 {
            _ = swl_set_name("pause")
            var set = sigset_t()
            sigemptyset(&set)
            sigaddset(&set, SIGCHLD)
            sigaddset(&set, SIGTERM)
            sigprocmask(SIG_BLOCK, &set, nil)
            while true {
                var sig: Int32 = 0
                sigwait(&set, &sig)
                if sig == SIGTERM { _exit(0) }
                while waitpid(-1, nil, WNOHANG) > 0 {}
            }
        }
        return pid
    }

    /// Tells the agent (our stdout is its pipe) that the sandbox is ready, then lets go of the pipe.
    func announceReady() {
        FileIO.report("ok \(getpid())", fd: 1)
        let null = swl_open("/dev/null", O_RDWR, 0)
        if null >= 0 {
            dup2(null, 0)
            dup2(null, 1)
            if null > 2 { close(null) }
        }
    }

    mutating func run() -> Never {
        while true {
            var fds = [pollfd(fd: signals.fd, events: Int16(POLLIN), revents: 0)]
            fds.append(pollfd(fd: listenFD, events: Int16(POLLIN), revents: 0))
            for s in streams { fds.append(pollfd(fd: s.fd, events: Int16(POLLIN), revents: 0)) }
            let streamCount = streams.count
            for a in attachments { fds.append(pollfd(fd: a.fd, events: Int16(POLLIN), revents: 0)) }
            let attachmentCount = attachments.count
            for s in stdins.values where !s.pending.isEmpty { fds.append(pollfd(fd: s.fd, events: Int16(POLLOUT), revents: 0)) }
            let n = poll(&fds, nfds_t(fds.count), -1)
            if n < 0 { continue }
            if fds[0].revents != 0 { handleSignals() }
            if fds[1].revents != 0 { acceptRequest() }
            var closed: [Int32] = []
            var touched: Set<String> = []
            for pfd in fds.dropFirst(2).prefix(streamCount) where pfd.revents != 0 {
                if let i = streams.firstIndex(where: { $0.fd == pfd.fd }) {
                    if !streams[i].pump(buffer: &buffer) { closed.append(pfd.fd) }
                    touched.insert(streams[i].container)
                }
            }
            for container in touched { forwardOutput(of: container) }
            closeStreams(closed)
            for pfd in fds.dropFirst(2 + streamCount).prefix(attachmentCount) where pfd.revents != 0 { readAttachment(pfd.fd) }
            for pfd in fds.dropFirst(2 + streamCount + attachmentCount) where pfd.revents != 0 {
                if let name = stdins.first(where: { $0.value.fd == pfd.fd })?.key { flushStdin(name) }
            }
        }
    }

    mutating func closeStreams(_ fds: [Int32]) {
        for fd in fds {
            if let i = streams.firstIndex(where: { $0.fd == fd }) {
                terminals = terminals.filter { $0.value != fd }
                streams[i].close()
                streams.remove(at: i)
            }
        }
    }

    mutating func handleSignals() {
        for sig in signals.drain() {
            switch sig {
            case SIGCHLD: reap()
            default: shutdown()
            }
        }
    }

    /// Collects every exited child and records the containers' exits.
    mutating func reap() {
        while true {
            var status: Int32 = 0
            let pid = waitpid(-1, &status, WNOHANG)
            if pid <= 0 { return }
            if pid == namespaceInit { namespaceInit = nil; continue }
            guard let child = children.removeValue(forKey: pid) else { continue }
            // Copy what the process wrote before it died, so the log is complete when the exit is visible.
            var closed: [Int32] = []
            for i in streams.indices where streams[i].container == child.name {
                if !streams[i].pump(buffer: &buffer) { closed.append(streams[i].fd) }
            }
            forwardOutput(of: child.name)
            closeStreams(closed)
            let record = exitRecord(child, status: status)
            endAttachments(of: child.name, exitCode: record.exitCode)
            let path = RunRecord.exitFile(options.runDirectory.statusDir, child.name, child.attempt)
            do { try FileIO.writeAtomically(path, record.encoded()) } catch {
                FileIO.report("swiftlet-pause: cannot record exit of \(child.name): \(error)")
            }
        }
    }

    mutating func acceptRequest() {
        let fd = swl_accept_cloexec(listenFD)
        if fd < 0 { return }
        UnixSocket.setTimeout(fd, milliseconds: 2000)
        guard let line = try? UnixSocket.readLine(fd, subject: "control"), let request = PauseRequest(line: line) else {
            try? FileIO.writeAll(fd, "error bad request\n", subject: "control")
            close(fd)
            return
        }
        // An attach keeps its connection (see PauseProcess+Attach).
        if case .attach(let container, let stdin) = request {
            attach(fd, container: container, stdin: stdin)
            return
        }
        defer { close(fd) }
        let reply = handle(request)
        try? FileIO.writeAll(fd, reply + "\n", subject: "control")
        if request == .shutdown { shutdown() }
        // Decoding the launch spec and preparing the child left freed pages behind.
        if case .start = request { Heap.releaseFreePages() }
    }

    /// The reply line to a request: `ok[ detail]` or `error <why>`.
    mutating func handle(_ request: PauseRequest) -> String {
        switch request {
        case .ping:
            return "ok \(getpid())"
        case .shutdown:
            return "ok"
        case .signal(let name, let sig):
            guard let child = children.values.first(where: { $0.name == name }) else { return "error not running" }
            do { try syscallRetrying("kill", name) { kill(child.pid, sig) } } catch { return "error \(error)" }
            return "ok"
        case .attach:
            return "error attach is a stream"
        case .start(let name, let attempt):
            if children.values.contains(where: { $0.name == name }) { return "error \(name) is already running" }
            let spec: LaunchSpec
            do { spec = try launchSpec(of: name) } catch { return "error \(error)" }
            do {
                let pid = try start(name: name, attempt: attempt, spec: spec)
                return "ok \(pid)"
            } catch {
                return "error \(error)"
            }
        }
    }

    /// The container's launch spec, as the agent wrote it before asking for the start.
    func launchSpec(of name: String) throws(PauseError) -> LaunchSpec {
        let path = options.runDirectory.launchFile(name)
        let text: String?
        do { text = try FileIO.readString(path) } catch { throw .system(error) }
        guard let text else { throw .system(SystemError("open", path, errno: ENOENT)) }
        do { return try LaunchSpec(decoding: text) } catch { throw .launchSpec(error) }
    }

    /// Forks the container process into fresh mount (and pid) namespaces and execs swiftlet-init in it.
    mutating func start(name: String, attempt: Int, spec: LaunchSpec) throws(SystemError) -> pid_t {
        let dir = options.runDirectory
        let launchPath = dir.launchFile(name)
        let log = try ContainerLogWriter(path: spec.logPath, container: name, rotation: spec.logRotation)
        let out = try Spawn.pipe()
        let err = try Spawn.pipe()
        // `stdin: true`: a pipe whose write end stays here for attach; else /dev/null. With a
        // terminal, swiftlet-init replaces all three with it and sends us its master.
        let input = spec.openStdin && !spec.tty ? try Spawn.pipe() : nil
        let console = spec.tty ? try UnixSocket.pair() : nil
        // Prepared before fork: the child must not allocate (it only dup2s and execs).
        let argv: [UnsafeMutablePointer<CChar>?] =
            [strdup(options.initPath), strdup(launchPath), strdup(dir.statusDir), strdup(name), strdup(String(attempt)), nil]
        let envp: [UnsafeMutablePointer<CChar>?] = [nil]
        defer { argv.forEach { free($0) } }
        let flags = SWL_CLONE_NEWNS | (spec.privatePIDNamespace && !options.sharePID ? SWL_CLONE_NEWPID : 0)
        let pid = swl_clone_fork(flags)
        if pid < 0 {
            let e = swl_errno()
            [out.read, out.write, err.read, err.write].forEach { close($0) }
            if let input { close(input.read); close(input.write) }
            if let console { close(console.0); close(console.1) }
            throw SystemError("clone", name, errno: e)
        }
        if pid == 0 {
            var none = sigset_t()
            sigemptyset(&none)
            sigprocmask(SIG_SETMASK, &none, nil)
            swl_signal_default(SIGPIPE)
            setsid()
            if let input {
                dup2(input.read, 0)
            } else {
                let null = swl_open("/dev/null", O_RDONLY, 0)
                dup2(null, 0)
            }
            dup2(out.write, 1)
            dup2(err.write, 2)
            if let console {
                // dup2 onto itself would keep close-on-exec.
                if console.1 == 3 { _ = swl_fcntl(3, F_SETFD, 0) } else { dup2(console.1, 3) }
            }
            execve(options.initPath, argv, envp)
            _exit(127)
        }
        close(out.write)
        close(err.write)
        if let console { receiveTerminal(console, container: name, spec: spec, log: log) }
        if let input {
            close(input.read)
            _ = swl_fcntl(input.write, F_SETFL, swl_fcntl(input.write, F_GETFL, 0) | O_NONBLOCK)
            if let old = stdins.removeValue(forKey: name) { close(old.fd) }
            stdins[name] = ContainerStdin(fd: input.write, once: spec.stdinOnce)
        }
        _ = swl_fcntl(out.read, F_SETFL, O_NONBLOCK)
        _ = swl_fcntl(err.read, F_SETFL, O_NONBLOCK)
        streams.append(LogStream(fd: out.read, log: log, stream: "stdout"))
        streams.append(LogStream(fd: err.read, log: log, stream: "stderr"))
        let oomFiles = OOMKillCounter.files(forProcs: spec.cgroupProcs)
        children[pid] = Child(
            name: name, attempt: attempt, pid: pid, oomFiles: oomFiles, oomKillsAtStart: OOMKillCounter.read(oomFiles))
        let record = RunRecord.Started(pid: pid, startedAt: .now())
        try FileIO.writeAtomically(RunRecord.startFile(dir.statusDir, name, attempt), record.encoded())
        return pid
    }

    /// A SIGKILL while the memory cgroup counted a new OOM kill is the kernel's OOM killer: `OOMKilled`.
    func exitRecord(_ child: Child, status: Int32) -> RunRecord.Exited {
        let exit = ExitStatus(waitStatus: status)
        let oomKilled = exit.signal == SIGKILL && OOMKillCounter.read(child.oomFiles) > child.oomKillsAtStart
        return RunRecord.Exited(
            exitCode: exit.exitCode, signal: exit.signal, finishedAt: .now(), reason: oomKilled ? "OOMKilled" : nil)
    }

    /// Kills every container, waits for them (recording their exits), and exits.
    mutating func shutdown() -> Never {
        for child in children.values { kill(child.pid, SIGKILL) }
        if let nsInit = namespaceInit { kill(nsInit, SIGKILL) }
        while !children.isEmpty {
            var status: Int32 = 0
            let pid = waitpid(-1, &status, 0)
            if pid < 0 && swl_errno() != EINTR { break }
            if pid > 0 && children[pid] != nil {
                // Put the status back for reap() to record, by handling it inline.
                guard let child = children.removeValue(forKey: pid) else { continue }
                let record = exitRecord(child, status: status)
                try? FileIO.writeAtomically(
                    RunRecord.exitFile(options.runDirectory.statusDir, child.name, child.attempt), record.encoded())
            }
        }
        closeStreams(streams.map { $0.fd })
        for a in attachments { close(a.fd) }
        for s in stdins.values { close(s.fd) }
        unlink(options.runDirectory.controlSocket)
        exit(0)
    }
}
