import Foundation
import SwiftletKube

/// ConfigMaps, Secrets and the other stored kinds under `/api/v1/namespaces/{ns}/{resource}`.
extension SwiftletAPIClient {
    struct ObjectList<T: KubeObject>: Decodable { var items: [T] }

    static func path(_ resource: String, namespace: String, name: String? = nil, apiVersion: String = "v1") -> String {
        (apiVersion == "v1" ? "/api/v1" : "/apis/\(apiVersion)") + "/namespaces/\(namespace)/\(resource)"
            + (name.map { "/\($0)" } ?? "")
    }

    public func listObjects<T: KubeObject>(_ type: T.Type, namespace: String) throws -> [T] {
        let list: ObjectList<T> = try call("GET", Self.path(T.resource, namespace: namespace, apiVersion: T.apiVersion))
        return list.items
    }

    public func getObject<T: KubeObject>(_ type: T.Type, namespace: String, name: String) throws -> T {
        try call("GET", Self.path(T.resource, namespace: namespace, name: name, apiVersion: T.apiVersion))
    }

    public func createObject<T: KubeObject>(_ object: T) throws -> T {
        try call("POST", Self.path(T.resource, namespace: object.namespace, apiVersion: T.apiVersion), body: try KubeJSON.encode(object))
    }

    public func replaceObject<T: KubeObject>(_ object: T) throws -> T {
        try call("PUT", Self.path(T.resource, namespace: object.namespace, name: object.name, apiVersion: T.apiVersion), body: try KubeJSON.encode(object))
    }

    @discardableResult
    public func deleteObject<T: KubeObject>(_ type: T.Type, namespace: String, name: String, propagationPolicy: String? = nil) throws -> T {
        try call(
            "DELETE",
            Self.path(T.resource, namespace: namespace, name: name, apiVersion: T.apiVersion)
                + (propagationPolicy.map { "?propagationPolicy=\($0)" } ?? ""))
    }
}
