/// `metav1.ObjectMeta`, with the fields swiftlet reads or writes.
public struct ObjectMeta: Codable, Hashable, Sendable {
    public var name: String?
    public var generateName: String?
    public var namespace: String?
    public var uid: String?
    public var resourceVersion: String?
    public var generation: Int64?
    public var labels: [String: String]?
    public var annotations: [String: String]?
    public var creationTimestamp: KubeTime?
    public var deletionTimestamp: KubeTime?
    public var deletionGracePeriodSeconds: Int64?
    public var ownerReferences: [OwnerReference]?
    public var finalizers: [String]?

    public init(
        name: String? = nil, namespace: String? = nil, uid: String? = nil,
        labels: [String: String]? = nil, annotations: [String: String]? = nil
    ) {
        self.name = name
        self.namespace = namespace
        self.uid = uid
        self.labels = labels
        self.annotations = annotations
    }
}

public struct OwnerReference: Codable, Hashable, Sendable {
    public var apiVersion: String
    public var kind: String
    public var name: String
    public var uid: String
    public var controller: Bool?
    public var blockOwnerDeletion: Bool?
}

/// `metav1.TypeMeta` + `ListMeta` for list responses.
public struct ListMeta: Codable, Hashable, Sendable {
    public var resourceVersion: String?
    public init(resourceVersion: String? = nil) { self.resourceVersion = resourceVersion }
}

/// `metav1.Status`, the error body the API server returns.
public struct Status: Codable, Hashable, Sendable {
    public var kind: String = "Status"
    public var apiVersion: String = "v1"
    public var metadata: ListMeta = ListMeta()
    public var status: String
    public var message: String
    public var reason: String?
    public var code: Int

    public init(status: String, message: String, reason: String?, code: Int) {
        self.status = status
        self.message = message
        self.reason = reason
        self.code = code
    }

    public static func failure(_ code: Int, reason: String, message: String) -> Status {
        Status(status: "Failure", message: message, reason: reason, code: code)
    }
}
