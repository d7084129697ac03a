import SwiftletKube

/// One frame of a watch on a stored kind (ConfigMaps, Secrets, ...).
public struct ObjectWatchEvent: Sendable {
    public var type: String
    public var object: AnyKubeObject

    public init(type: String, object: AnyKubeObject) {
        self.type = type
        self.object = object
    }
}

/// The stored kinds of `KubeObjectKinds` behind `/api/v1/[namespaces/{ns}/]{resource}[/{name}]`.
/// Every method takes the resource name, so a new kind needs no new route or backend method.
/// The defaults answer 404, for backends without stored objects (tests' fakes).
extension PodAPIBackend {
    public func listObjects(resource: String, namespace: String?) async throws -> [AnyKubeObject] { throw APIError.pathNotFound }
    public func getObject(resource: String, namespace: String, name: String) async throws -> AnyKubeObject {
        throw APIError.pathNotFound
    }
    public func createObject(_ object: AnyKubeObject) async throws -> AnyKubeObject { throw APIError.pathNotFound }
    public func replaceObject(_ object: AnyKubeObject) async throws -> AnyKubeObject { throw APIError.pathNotFound }
    public func deleteObject(resource: String, namespace: String, name: String) async throws -> AnyKubeObject {
        throw APIError.pathNotFound
    }
    /// Deletes with a propagation policy: `orphanDependents` strips the ownerReferences to the
    /// object from its dependents instead of letting the garbage collector delete them.
    public func deleteObject(resource: String, namespace: String, name: String, orphanDependents: Bool) async throws -> AnyKubeObject {
        try await deleteObject(resource: resource, namespace: namespace, name: name)
    }
    /// First `ADDED` for every existing object of the resource, then every change.
    public func watchObjects(resource: String) async throws -> AsyncStream<ObjectWatchEvent> { throw APIError.pathNotFound }
}

/// `{"apiVersion":"v1","kind":"ConfigMapList","items":[...]}`.
struct ObjectList: Encodable {
    var apiVersion: String
    var kind: String
    var items: [AnyKubeObject]

    enum CodingKeys: String, CodingKey { case apiVersion, kind, metadata, items }
    struct Empty: Encodable {}

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(apiVersion, forKey: .apiVersion)
        try c.encode(kind, forKey: .kind)
        try c.encode(Empty(), forKey: .metadata)
        var list = c.nestedUnkeyedContainer(forKey: .items)
        for item in items { try list.encode(item.value) }
    }
}

/// A watch frame on the wire.
struct ObjectWatchFrame: Encodable {
    var type: String
    var object: AnyKubeObject

    enum CodingKeys: String, CodingKey { case type, object }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(type, forKey: .type)
        try c.encode(object.value, forKey: .object)
    }
}
