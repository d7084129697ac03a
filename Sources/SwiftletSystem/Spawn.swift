import CSwiftletShim
#if !hasFeature(Embedded)  // swiftlet-pause (Embedded Swift) gets libc from CSwiftletShim alone
import Glibc
#endif

/// Starting processes from a multi-threaded process without fork(): posix_spawn only.
public enum Spawn {
    public enum Stdio: Sendable {
        case null
        case fd(Int32)
        case inherit
    }

    /// Spawns `path` with `arguments` (argv[0] included) in a new session, so it outlives
    /// the caller's process group. Returns the pid.
    public static func spawn(
        path: String, arguments: [String], environment: [String],
        stdin: Stdio = .null, stdout: Stdio = .null, stderr: Stdio = .null, newSession: Bool = true,
        extraDescriptors: [Int32] = []
    ) throws(SystemError) -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for (fd, stdio) in [(Int32(0), stdin), (1, stdout), (2, stderr)] {
            switch stdio {
            case .null: posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0)
            case .fd(let source): posix_spawn_file_actions_adddup2(&actions, source, fd)
            case .inherit: break
            }
        }
        // Descriptors the caller hands over explicitly become 3, 4, ... (the agent's are far above those numbers).
        for (index, source) in extraDescriptors.enumerated() {
            posix_spawn_file_actions_adddup2(&actions, source, 3 + Int32(index))
        }
        // Only stdio crosses over: an inherited agent socket or pipe would keep it "open" for as long as
        // the pod lives (and a supervisor waiting for its end would wait forever).
        _ = swl_spawn_closefrom(&actions, 3 + Int32(extraDescriptors.count))
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        // The child starts with default signal dispositions and an empty mask, whatever the agent set.
        var all = sigset_t()
        sigfillset(&all)
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigdefault(&attr, &all)
        posix_spawnattr_setsigmask(&attr, &none)
        var flags = Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK)
        if newSession { flags |= SWL_POSIX_SPAWN_SETSID }
        posix_spawnattr_setflags(&attr, flags)

        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, path, &actions, &attr, argv, envp)
        if rc != 0 { throw SystemError("posix_spawn", path, errno: rc) }
        return pid
    }

    /// Creates a pipe with both ends close-on-exec (dup2 in the child clears the flag on the copy).
    public static func pipe() throws(SystemError) -> (read: Int32, write: Int32) {
        var fds: [Int32] = [0, 0]
        try syscallRetrying("pipe2") { swl_pipe_cloexec(&fds) }
        return (fds[0], fds[1])
    }

    /// Blocking wait for a child; returns the raw wait status.
    public static func wait(_ pid: pid_t) throws(SystemError) -> Int32 {
        var status: Int32 = 0
        try syscallRetrying("waitpid", String(pid)) { waitpid(pid, &status, 0) }
        return status
    }
}

/// A process's identity that survives pid reuse: pid plus its start time in clock ticks
/// since boot (field 22 of /proc/PID/stat), as crun records it.
public struct ProcessIdentity: Hashable, Sendable {
    public var pid: Int32
    public var startTime: UInt64

    public init(pid: Int32, startTime: UInt64) {
        self.pid = pid
        self.startTime = startTime
    }

    public static func of(pid: Int32) -> ProcessIdentity? {
        guard let start = startTime(of: pid) else { return nil }
        return ProcessIdentity(pid: pid, startTime: start)
    }

    /// True while the same process (not a later one with the same pid) is alive. A zombie counts as dead.
    public var isAlive: Bool {
        guard let stat = try? FileIO.readString("/proc/\(pid)/stat"), let (state, start) = Self.parse(stat) else { return false }
        return start == startTime && state != "Z" && state != "X"
    }

    public static func startTime(of pid: Int32) -> UInt64? {
        guard let stat = try? FileIO.readString("/proc/\(pid)/stat"), let (_, start) = parse(stat) else { return nil }
        return start
    }

    /// /proc/PID/stat: `pid (comm) state ppid …`; comm may hold spaces and parentheses, so split after the last ')'.
    private static func parse(_ stat: String) -> (Character, UInt64)? {
        guard let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // fields[0] is the state (field 3); start time is field 22 → index 19.
        guard fields.count > 19, let state = fields[0].first, let start = UInt64(fields[19]) else { return nil }
        return (state, start)
    }
}
