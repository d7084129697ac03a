import Foundation

/// What to do to a pod on this sync: the kubelet's `podActions`, with names instead of indices.
/// The caller performs it in the kubelet's `SyncPod` order: kill the pod (or the listed
/// containers), create the sandbox, start init containers, start regular containers.
public struct PodActions: Hashable, Sendable {
    /// Start a new sandbox (pause process). With `killPod` also set, whatever is left of the
    /// old one is stopped first.
    public var createSandbox = false
    /// Stop every container and the sandbox: the pod finished (Never/OnFailure with nothing left to
    /// run, or a failed init container under Never), it is being deleted, or its sandbox died.
    public var killPod = false
    /// Init containers to start now, in spec order. At most one regular init container (they
    /// run strictly one after another); exited sidecars that must be restarted come along with it.
    public var initContainersToStart: [String] = []
    /// Regular containers to start now, in spec order.
    public var containersToStart: [String] = []
    /// Running containers to stop first (a failed liveness or startup probe). If the same name is
    /// in a start list, it is restarted after it stopped.
    public var containersToKill: [ContainerKill] = []
    /// Containers that would be started but are still in crash-loop back-off.
    public var backingOff: [String] = []
    /// Seconds until the earliest back-off ends, so the caller can schedule the next sync.
    public var waitUntil: TimeInterval?

    public init() {}

    /// The next init container to start, when there is one.
    public var initContainerToStart: String? { initContainersToStart.first }

    /// Nothing to do on this sync.
    public var isEmpty: Bool {
        !createSandbox && !killPod && initContainersToStart.isEmpty && containersToStart.isEmpty
            && containersToKill.isEmpty
    }
}

/// A running container to stop, with the kubelet's event message and kill reason.
public struct ContainerKill: Hashable, Sendable {
    public var name: String
    /// e.g. "Container app failed liveness probe, will be restarted".
    public var message: String
    public var probe: ProbeKind?

    public init(name: String, message: String, probe: ProbeKind?) {
        self.name = name
        self.message = message
        self.probe = probe
    }
}
