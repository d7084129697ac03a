/// `v1.Node`, the part a single-node agent reports about itself.
public struct Node: Codable, Hashable, Sendable {
    public var apiVersion: String = "v1"
    public var kind: String = "Node"
    public var metadata: ObjectMeta
    public var status: NodeStatus

    public init(metadata: ObjectMeta, status: NodeStatus) {
        self.metadata = metadata
        self.status = status
    }
}

public struct NodeStatus: Codable, Hashable, Sendable {
    /// Everything the host has (`cpu`, `memory`, `pods`).
    public var capacity: [String: Quantity]
    /// Capacity minus the system reservation: what pods may request.
    public var allocatable: [String: Quantity]
    public var addresses: [NodeAddress]?
    public var nodeInfo: NodeSystemInfo?

    public init(capacity: [String: Quantity], allocatable: [String: Quantity], addresses: [NodeAddress]?, nodeInfo: NodeSystemInfo?) {
        self.capacity = capacity
        self.allocatable = allocatable
        self.addresses = addresses
        self.nodeInfo = nodeInfo
    }
}

public struct NodeAddress: Codable, Hashable, Sendable {
    public var type: String
    public var address: String
    public init(type: String, address: String) {
        self.type = type
        self.address = address
    }
}

public struct NodeSystemInfo: Codable, Hashable, Sendable {
    public var kernelVersion: String
    public var osImage: String
    public var architecture: String
    public var operatingSystem: String
    public var kubeletVersion: String
    public var containerRuntimeVersion: String

    public init(
        kernelVersion: String, osImage: String, architecture: String, operatingSystem: String, kubeletVersion: String,
        containerRuntimeVersion: String
    ) {
        self.kernelVersion = kernelVersion
        self.osImage = osImage
        self.architecture = architecture
        self.operatingSystem = operatingSystem
        self.kubeletVersion = kubeletVersion
        self.containerRuntimeVersion = containerRuntimeVersion
    }
}

public struct NodeList: Codable, Hashable, Sendable {
    public var apiVersion: String = "v1"
    public var kind: String = "NodeList"
    public var metadata: ListMeta = ListMeta()
    public var items: [Node]
    public init(items: [Node]) { self.items = items }
}
