import Foundation

/// One run (attempt) of a container as the runtime observed it.
///
/// The runtime keeps the two newest runs of every container (the kubelet's `containerSeen` loop
/// reads the same two): the newest gives `state`, the one before it gives `lastState`.
public struct ContainerRun: Hashable, Sendable {
    /// 0, 1, 2 … — the restart count of this run, the CRI `Attempt` and the log file `<attempt>.log`.
    public var attempt: Int
    public var startedAt: Date?
    public var state: State
    /// e.g. `swiftlet://<uid>/<name>/<attempt>`.
    public var containerID: String

    public enum State: Hashable, Sendable {
        case running
        /// `reason` is what the runtime reports: nil means "Completed" for exit 0 and "Error"
        /// otherwise; runtimes also say "OOMKilled", or "StartError" (exit 128) when exec failed.
        case exited(exitCode: Int32, signal: Int32?, finishedAt: Date, reason: String?, message: String?)
    }

    public init(attempt: Int, startedAt: Date?, state: State, containerID: String) {
        self.attempt = attempt
        self.startedAt = startedAt
        self.state = state
        self.containerID = containerID
    }

    public var isRunning: Bool { if case .running = state { true } else { false } }

    /// The exit code when the run has exited, nil while it runs.
    public var exitCode: Int32? {
        if case .exited(let code, _, _, _, _) = state { code } else { nil }
    }

    public var finishedAt: Date? {
        if case .exited(_, _, let finished, _, _) = state { finished } else { nil }
    }
}
