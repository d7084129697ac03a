import Foundation
import SwiftletKube

/// The stored kinds by their type at run time (`swiftlet get deployments`, `delete rs NAME`), so
/// every kind of `KubeObjectKinds` is reachable without a method of its own.
extension SwiftletAPIClient {
    static func path(_ type: any KubeObject.Type, namespace: String?, name: String? = nil) -> String {
        guard let namespace else { return (type.apiVersion == "v1" ? "/api/v1" : "/apis/\(type.apiVersion)") + "/\(type.resource)" }
        return path(type.resource, namespace: namespace, name: name, apiVersion: type.apiVersion)
    }

    /// Every object of the kind, in one namespace or (nil) in all.
    public func listObjects(of type: any KubeObject.Type, namespace: String?) throws -> [any KubeObject] {
        try list(type, namespace: namespace)
    }

    private func list<T: KubeObject>(_ type: T.Type, namespace: String?) throws -> [any KubeObject] {
        let list: ObjectList<T> = try call("GET", Self.path(type, namespace: namespace))
        return list.items
    }

    public func getObject(of type: any KubeObject.Type, namespace: String, name: String) throws -> any KubeObject {
        try get(type, namespace: namespace, name: name)
    }

    private func get<T: KubeObject>(_ type: T.Type, namespace: String, name: String) throws -> any KubeObject {
        try getObject(type, namespace: namespace, name: name)
    }

    /// PUT of an object whose type is only known at run time.
    public func replaceObject(any object: any KubeObject) throws -> any KubeObject {
        try replace(object)
    }

    private func replace<T: KubeObject>(_ object: T) throws -> any KubeObject {
        try replaceObject(object)
    }

    @discardableResult
    public func deleteObject(of type: any KubeObject.Type, namespace: String, name: String, propagationPolicy: String? = nil) throws
        -> any KubeObject
    {
        try delete(type, namespace: namespace, name: name, propagationPolicy: propagationPolicy)
    }

    private func delete<T: KubeObject>(_ type: T.Type, namespace: String, name: String, propagationPolicy: String?) throws -> any KubeObject {
        try deleteObject(type, namespace: namespace, name: name, propagationPolicy: propagationPolicy)
    }
}
