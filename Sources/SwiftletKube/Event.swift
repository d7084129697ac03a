/// `v1.Event` (core/v1), reduced to what a node agent records.
public struct Event: Codable, Hashable, Sendable {
    public var apiVersion: String = "v1"
    public var kind: String = "Event"
    public var metadata: ObjectMeta
    public var involvedObject: ObjectReference
    public var reason: String
    public var message: String
    public var type: String
    public var count: Int32
    public var firstTimestamp: KubeTime
    public var lastTimestamp: KubeTime
    public var source: EventSource

    public init(
        metadata: ObjectMeta, involvedObject: ObjectReference, reason: String, message: String, type: String,
        count: Int32, firstTimestamp: KubeTime, lastTimestamp: KubeTime, source: EventSource
    ) {
        self.metadata = metadata
        self.involvedObject = involvedObject
        self.reason = reason
        self.message = message
        self.type = type
        self.count = count
        self.firstTimestamp = firstTimestamp
        self.lastTimestamp = lastTimestamp
        self.source = source
    }
}

public struct ObjectReference: Codable, Hashable, Sendable {
    public var kind: String?
    public var namespace: String?
    public var name: String?
    public var uid: String?
    public var apiVersion: String?
    public var fieldPath: String?

    public init(kind: String?, namespace: String?, name: String?, uid: String?, fieldPath: String? = nil) {
        self.kind = kind
        self.namespace = namespace
        self.name = name
        self.uid = uid
        self.apiVersion = "v1"
        self.fieldPath = fieldPath
    }
}

public struct EventSource: Codable, Hashable, Sendable {
    public var component: String?
    public var host: String?
    public init(component: String?, host: String?) {
        self.component = component
        self.host = host
    }
}

public struct EventList: Codable, Hashable, Sendable {
    public var apiVersion: String = "v1"
    public var kind: String = "EventList"
    public var metadata: ListMeta = ListMeta()
    public var items: [Event]
    public init(items: [Event]) { self.items = items }
}
