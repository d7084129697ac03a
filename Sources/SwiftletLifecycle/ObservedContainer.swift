/// Why the newest attempt to start a container failed before any process ran: the kubelet's
/// `reasonCache` entry, e.g. ("ErrImagePull", msg), ("CreateContainerError", msg),
/// ("CreateContainerConfigError", msg). The caller clears it once a start succeeds.
public struct StartFailure: Hashable, Sendable {
    public var reason: String
    public var message: String

    public init(reason: String, message: String) {
        self.reason = reason
        self.message = message
    }
}

/// A probe whose failure makes the kubelet kill a running container.
public enum ProbeKind: String, Hashable, Sendable {
    case liveness
    case startup
}

/// What is known about one container of the pod.
public struct ObservedContainer: Hashable, Sendable {
    public var name: String
    /// The newest run; nil when the container was never created (or all its runs were removed).
    public var current: ContainerRun?
    /// The run before `current`; gives `lastState`.
    public var previous: ContainerRun?
    public var lastStartFailure: StartFailure?
    /// Readiness probe result; nil when the container has no readiness probe.
    public var ready: Bool?
    /// Startup probe result; nil when the container has no startup probe. `false` means the
    /// probe has not succeeded yet.
    public var started: Bool?
    /// Set when a liveness or startup probe declared the running container failed.
    public var failedProbe: ProbeKind?

    public init(
        name: String, current: ContainerRun? = nil, previous: ContainerRun? = nil,
        lastStartFailure: StartFailure? = nil, ready: Bool? = nil, started: Bool? = nil,
        failedProbe: ProbeKind? = nil
    ) {
        self.name = name
        self.current = current
        self.previous = previous
        self.lastStartFailure = lastStartFailure
        self.ready = ready
        self.started = started
        self.failedProbe = failedProbe
    }

    /// Running and past its startup probe (if any): the kubelet's `started`.
    var isStarted: Bool { (current?.isRunning ?? false) && (started ?? true) }
}
