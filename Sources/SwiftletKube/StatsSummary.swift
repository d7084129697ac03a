/// The kubelet's Summary API (`stats/v1alpha1`, `GET /stats/summary`), the fields swiftlet fills.
public struct StatsSummary: Codable, Hashable, Sendable {
    public var node: NodeStats
    public var pods: [PodStats]

    public init(node: NodeStats, pods: [PodStats]) {
        self.node = node
        self.pods = pods
    }
}

public struct NodeStats: Codable, Hashable, Sendable {
    public var nodeName: String
    public var startTime: KubeTime?
    public var cpu: CPUStats?
    public var memory: MemoryStats?

    public init(nodeName: String, startTime: KubeTime?, cpu: CPUStats?, memory: MemoryStats?) {
        self.nodeName = nodeName
        self.startTime = startTime
        self.cpu = cpu
        self.memory = memory
    }
}

public struct PodReference: Codable, Hashable, Sendable {
    public var name: String
    public var namespace: String
    public var uid: String

    public init(name: String, namespace: String, uid: String) {
        self.name = name
        self.namespace = namespace
        self.uid = uid
    }
}

public struct PodStats: Codable, Hashable, Sendable {
    public var podRef: PodReference
    public var startTime: KubeTime?
    public var containers: [ContainerStats]
    public var cpu: CPUStats?
    public var memory: MemoryStats?
    public var processStats: ProcessStats?

    enum CodingKeys: String, CodingKey {
        case podRef, startTime, containers, cpu, memory
        case processStats = "process_stats"
    }

    public init(
        podRef: PodReference, startTime: KubeTime?, containers: [ContainerStats], cpu: CPUStats?, memory: MemoryStats?,
        processStats: ProcessStats?
    ) {
        self.podRef = podRef
        self.startTime = startTime
        self.containers = containers
        self.cpu = cpu
        self.memory = memory
        self.processStats = processStats
    }
}

public struct ContainerStats: Codable, Hashable, Sendable {
    public var name: String
    public var startTime: KubeTime?
    public var cpu: CPUStats?
    public var memory: MemoryStats?

    public init(name: String, startTime: KubeTime?, cpu: CPUStats?, memory: MemoryStats?) {
        self.name = name
        self.startTime = startTime
        self.cpu = cpu
        self.memory = memory
    }
}

public struct CPUStats: Codable, Hashable, Sendable {
    public var time: KubeTime
    /// Average usage over the last sampling window, in billionths of a core.
    public var usageNanoCores: UInt64?
    /// Cumulative CPU time since the cgroup was created.
    public var usageCoreNanoSeconds: UInt64?

    public init(time: KubeTime, usageNanoCores: UInt64?, usageCoreNanoSeconds: UInt64?) {
        self.time = time
        self.usageNanoCores = usageNanoCores
        self.usageCoreNanoSeconds = usageCoreNanoSeconds
    }
}

public struct MemoryStats: Codable, Hashable, Sendable {
    public var time: KubeTime
    public var availableBytes: UInt64?
    public var usageBytes: UInt64?
    public var workingSetBytes: UInt64?
    public var rssBytes: UInt64?

    public init(time: KubeTime, availableBytes: UInt64? = nil, usageBytes: UInt64?, workingSetBytes: UInt64?, rssBytes: UInt64?) {
        self.time = time
        self.availableBytes = availableBytes
        self.usageBytes = usageBytes
        self.workingSetBytes = workingSetBytes
        self.rssBytes = rssBytes
    }
}

public struct ProcessStats: Codable, Hashable, Sendable {
    public var processCount: UInt64?

    enum CodingKeys: String, CodingKey { case processCount = "process_count" }

    public init(processCount: UInt64?) { self.processCount = processCount }
}
