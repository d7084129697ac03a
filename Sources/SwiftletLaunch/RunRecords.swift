import SwiftletSystem

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

        public init(exitCode: Int32, signal: Int32?, finishedAt: WallTime) {
            self.exitCode = exitCode
            self.signal = signal
            self.finishedAt = finishedAt
        }

        public func encoded() -> String {
            var f = KeyValueFile()
            f.append("exitCode", String(exitCode))
            if let signal { f.append("signal", String(signal)) }
            f.append("finishedAt", finishedAt.record)
            return f.encoded()
        }

        public init?(decoding text: String) {
            guard let f = try? KeyValueFile(parsing: text), let code = f.first("exitCode").flatMap({ Int32($0) }),
                let at = f.first("finishedAt").flatMap({ WallTime(record: $0) })
            else { return nil }
            self.init(exitCode: code, signal: f.first("signal").flatMap { Int32($0) }, finishedAt: at)
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
    public func launchFile(_ container: String) -> String { "\(containersDir)/\(container).launch" }
}

/// Requests on the pause control socket, one line each; the reply is `ok[ detail]` or `error <message>`.
public enum PauseRequest: Hashable, Sendable {
    /// Start attempt N of a container from its launch file.
    case start(container: String, attempt: Int)
    /// Deliver a signal to the container's process (its whole pid namespace dies with it when private).
    case signal(container: String, signal: Int32)
    case ping
    /// Kill every container, reap, and exit.
    case shutdown

    public var line: String {
        switch self {
        case .start(let c, let a): return "start \(c) \(a)"
        case .signal(let c, let s): return "signal \(c) \(s)"
        case .ping: return "ping"
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
        case ("ping", 1): self = .ping
        case ("shutdown", 1): self = .shutdown
        default: return nil
        }
    }
}
