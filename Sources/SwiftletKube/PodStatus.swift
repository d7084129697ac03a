public enum PodPhase: String, Codable, Hashable, Sendable, CaseIterable {
    case pending = "Pending"
    case running = "Running"
    case succeeded = "Succeeded"
    case failed = "Failed"
    case unknown = "Unknown"

    public var isTerminal: Bool { self == .succeeded || self == .failed }
}

/// `v1.PodStatus`.
public struct PodStatus: Codable, Hashable, Sendable {
    public var phase: PodPhase?
    public var conditions: [PodCondition]?
    public var message: String?
    public var reason: String?
    public var hostIP: String?
    public var hostIPs: [HostIP]?
    public var podIP: String?
    public var podIPs: [HostIP]?
    public var startTime: KubeTime?
    public var initContainerStatuses: [ContainerStatus]?
    public var containerStatuses: [ContainerStatus]?
    public var qosClass: String?

    public init(phase: PodPhase? = nil) { self.phase = phase }
}

/// `v1.HostIP` / `v1.PodIP`: both are `{ip: ...}`.
public struct HostIP: Codable, Hashable, Sendable {
    public var ip: String
    public init(ip: String) { self.ip = ip }
}

public enum PodConditionType: String, Codable, Hashable, Sendable, CaseIterable {
    case podReadyToStartContainers = "PodReadyToStartContainers"
    case initialized = "Initialized"
    case containersReady = "ContainersReady"
    case ready = "Ready"
    case podScheduled = "PodScheduled"
}

public enum ConditionStatus: String, Codable, Hashable, Sendable {
    case `true` = "True"
    case `false` = "False"
    case unknown = "Unknown"
}

/// `v1.PodCondition`.
public struct PodCondition: Codable, Hashable, Sendable {
    public var type: PodConditionType
    public var status: ConditionStatus
    public var lastProbeTime: KubeTime?
    public var lastTransitionTime: KubeTime?
    public var reason: String?
    public var message: String?

    public init(
        type: PodConditionType, status: ConditionStatus, reason: String? = nil, message: String? = nil,
        lastTransitionTime: KubeTime? = nil
    ) {
        self.type = type
        self.status = status
        self.reason = reason
        self.message = message
        self.lastTransitionTime = lastTransitionTime
    }

    // `lastProbeTime` is always present (null) in API output, as the API server writes it.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(type, forKey: .type)
        try c.encode(status, forKey: .status)
        try c.encode(lastProbeTime, forKey: .lastProbeTime)
        try c.encodeIfPresent(lastTransitionTime, forKey: .lastTransitionTime)
        try c.encodeIfPresent(reason, forKey: .reason)
        try c.encodeIfPresent(message, forKey: .message)
    }
}

/// `v1.ContainerStatus`.
public struct ContainerStatus: Codable, Hashable, Sendable {
    public var name: String
    public var state: ContainerState
    public var lastState: ContainerState
    public var ready: Bool
    public var restartCount: Int32
    public var image: String
    public var imageID: String
    public var containerID: String?
    public var started: Bool?
    /// The signal the runtime stops this container with (KEP-4960): spec, else image, else SIGTERM.
    public var stopSignal: String?

    public init(
        name: String, state: ContainerState, lastState: ContainerState = ContainerState(), ready: Bool = false,
        restartCount: Int32 = 0, image: String = "", imageID: String = "", containerID: String? = nil,
        started: Bool? = nil
    ) {
        self.name = name
        self.state = state
        self.lastState = lastState
        self.ready = ready
        self.restartCount = restartCount
        self.image = image
        self.imageID = imageID
        self.containerID = containerID
        self.started = started
    }
}

/// `v1.ContainerState`: at most one member is set; none means "no state" (`{}`).
public struct ContainerState: Codable, Hashable, Sendable {
    public var waiting: ContainerStateWaiting?
    public var running: ContainerStateRunning?
    public var terminated: ContainerStateTerminated?

    public init(
        waiting: ContainerStateWaiting? = nil, running: ContainerStateRunning? = nil,
        terminated: ContainerStateTerminated? = nil
    ) {
        self.waiting = waiting
        self.running = running
        self.terminated = terminated
    }

    public static func waiting(_ reason: String?, message: String? = nil) -> ContainerState {
        ContainerState(waiting: ContainerStateWaiting(reason: reason, message: message))
    }
}

public struct ContainerStateWaiting: Codable, Hashable, Sendable {
    public var reason: String?
    public var message: String?
    public init(reason: String?, message: String? = nil) {
        self.reason = reason
        self.message = message
    }
}

public struct ContainerStateRunning: Codable, Hashable, Sendable {
    public var startedAt: KubeTime?
    public init(startedAt: KubeTime?) { self.startedAt = startedAt }
}

public struct ContainerStateTerminated: Codable, Hashable, Sendable {
    public var exitCode: Int32
    public var signal: Int32?
    public var reason: String?
    public var message: String?
    public var startedAt: KubeTime?
    public var finishedAt: KubeTime?
    public var containerID: String?

    public init(
        exitCode: Int32, signal: Int32? = nil, reason: String? = nil, message: String? = nil,
        startedAt: KubeTime? = nil, finishedAt: KubeTime? = nil, containerID: String? = nil
    ) {
        self.exitCode = exitCode
        self.signal = signal
        self.reason = reason
        self.message = message
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.containerID = containerID
    }
}
