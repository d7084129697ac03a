#if !hasFeature(Embedded)  // swiftlet-pause compiles this file into its own module (see Package.swift)
import SwiftletSystem
#endif

/// The files swiftlet-pause and swiftlet-init leave in `<pod run dir>/status/` — the only way
/// container lifecycle facts reach the agent, so they survive an agent restart.
/// Each is written atomically (temp file + rename); the agent never sees a partial record.
public enum RunRecord {
    /// `<name>.<attempt>.start`: the container process exists (pid in the host pid namespace).
    public struct Started: Hashable, Sendable {
        public var pid: Int32
        public var startedAt: WallTime

        public init(pid: Int32, startedAt: WallTime) {
            self.pid = pid
            self.startedAt = startedAt
        }

        public func encoded() -> String {
            var f = KeyValueFile()
            f.append("pid", String(pid))
            f.append("startedAt", startedAt.record)
            return f.encoded()
        }

        public init?(decoding text: String) {
            guard let f = try? KeyValueFile(parsing: text), let pid = f.first("pid").flatMap({ Int32($0) }),
                let at = f.first("startedAt").flatMap({ WallTime(record: $0) })
            else { return nil }
            self.init(pid: pid, startedAt: at)
        }
    }

    /// `<name>.<attempt>.exit`: reaped by swiftlet-pause.
    public struct Exited: Hashable, Sendable {
        public var exitCode: Int32
        public var signal: Int32?
        public var finishedAt: WallTime
        /// Set by the runtime's own evidence, e.g. `OOMKilled` when the container's memory cgroup
        /// counted an OOM kill during this run.
        public var reason: String?

        public init(exitCode: Int32, signal: Int32?, finishedAt: WallTime, reason: String? = nil) {
            self.exitCode = exitCode
            self.signal = signal
            self.finishedAt = finishedAt
            self.reason = reason
        }

        public func encoded() -> String {
            var f = KeyValueFile()
            f.append("exitCode", String(exitCode))
            if let signal { f.append("signal", String(signal)) }
            f.append("finishedAt", finishedAt.record)
            if let reason { f.append("reason", reason) }
            return f.encoded()
        }

        public init?(decoding text: String) {
            guard let f = try? KeyValueFile(parsing: text), let code = f.first("exitCode").flatMap({ Int32($0) }),
                let at = f.first("finishedAt").flatMap({ WallTime(record: $0) })
            else { return nil }
            self.init(
                exitCode: code, signal: f.first("signal").flatMap { Int32($0) }, finishedAt: at, reason: f.first("reason"))
        }
    }

    /// Exit code swiftlet-init uses when it could not start the command; with a `<name>.<attempt>.error`
    /// file beside it the agent reports `StartError` (containerd's convention, exit code 128).
    public static let startErrorExitCode: Int32 = 128

    public static func startFile(_ statusDir: String, _ name: String, _ attempt: Int) -> String {
        "\(statusDir)/\(name).\(attempt).start"
    }
    public static func exitFile(_ statusDir: String, _ name: String, _ attempt: Int) -> String {
        "\(statusDir)/\(name).\(attempt).exit"
    }
    public static func errorFile(_ statusDir: String, _ name: String, _ attempt: Int) -> String {
        "\(statusDir)/\(name).\(attempt).error"
    }
}

/// Layout of a pod's run directory (`<run dir>/pods/<uid>/`), shared by the three programs.
public struct PodRunDirectory: Hashable, Sendable {
    public var path: String
    public init(path: String) { self.path = path }

    public var controlSocket: String { path + "/pause.sock" }
    public var pauseRecord: String { path + "/pause" }
    public var statusDir: String { path + "/status" }
    public var containersDir: String { path + "/containers" }
    public var podFile: String { path + "/pod.json" }
    public var shmDir: String { path + "/shm" }
    public var hostsFile: String { path + "/hosts" }
    public var hostnameFile: String { path + "/hostname" }
    public var resolvConfFile: String { path + "/resolv.conf" }
    public func launchFile(_ container: String) -> String { "\(containersDir)/\(container).launch" }
}

/// Requests on the pause control socket, one line each; the reply is `ok[ detail]` or `error <message>`.
public enum PauseRequest: Hashable, Sendable {
    /// Start attempt N of a container from its launch file.
    case start(container: String, attempt: Int)
    /// Deliver a signal to the container's process (its whole pid namespace dies with it when private).
    case signal(container: String, signal: Int32)
    case ping
    /// Turn this connection into an attach stream of the running container (`AttachFrame`s);
    /// `stdin`: the client sends input.
    case attach(container: String, stdin: Bool)
    /// Kill every container, reap, and exit.
    case shutdown

    public var line: String {
        switch self {
        case .start(let c, let a): return "start \(c) \(a)"
        case .signal(let c, let s): return "signal \(c) \(s)"
        case .ping: return "ping"
        case .attach(let c, let stdin): return "attach \(c) \(stdin ? "stdin" : "nostdin")"
        case .shutdown: return "shutdown"
        }
    }

    public init?(line: String) {
        let parts = line.split(separator: " ")
        switch (parts.first, parts.count) {
        case ("start", 3):
            guard let a = Int(parts[2]) else { return nil }
            self = .start(container: String(parts[1]), attempt: a)
        case ("signal", 3):
            guard let s = Int32(parts[2]) else { return nil }
            self = .signal(container: String(parts[1]), signal: s)
        case ("attach", 3):
            guard parts[2] == "stdin" || parts[2] == "nostdin" else { return nil }
            self = .attach(container: String(parts[1]), stdin: parts[2] == "stdin")
        case ("ping", 1): self = .ping
        case ("shutdown", 1): self = .shutdown
        default: return nil
        }
    }
}

/// The OOM-kill counter of a container's memory cgroup: `oom_kill N` in `memory.events` (v2) or
/// `memory.oom_control` (v1, kernel 4.13+). Read by swiftlet-pause at start and exit of a run.
public enum OOMKillCounter {
    /// The counter files for the cgroups a process joins (their `cgroup.procs` paths).
    public static func files(forProcs procs: [String]) -> [String] {
        var files: [String] = []
        for path in procs {
            guard let slash = path.lastIndex(of: "/") else { continue }
            let dir = String(path[..<slash])
            for name in ["memory.events", "memory.oom_control"] where FileIO.exists(dir + "/" + name) {
                files.append(dir + "/" + name)
            }
        }
        return files
    }

    public static func read(_ files: [String]) -> UInt64 {
        var total: UInt64 = 0
        for file in files {
            guard let text = try? FileIO.readString(file) else { continue }
            for line in text.split(separator: "\n") where line.hasPrefix("oom_kill ") {
                total += UInt64(line.dropFirst(9)) ?? 0
            }
        }
        return total
    }
}
