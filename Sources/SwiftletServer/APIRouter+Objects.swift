import Foundation
import SwiftletKube

/// Routes of the stored kinds: `/api/v1/{resource}` (list, watch) and
/// `/api/v1/namespaces/{ns}/{resource}[/{name}]` (list, watch, create; get, replace, delete),
/// for every resource in `KubeObjectKinds`.
extension APIRouter {
    func routeObjects(_ r: APIRequest, _ rest: [String], apiVersion: String = "v1") async throws -> APIResponse? {
        switch rest.count {
        case 1:
            guard let type = KubeObjectKinds.type(resource: rest[0], apiVersion: apiVersion) else { return nil }
            try allow(r, "GET")
            return try await listObjects(r, type: type, namespace: nil)
        case 3 where rest[0] == "namespaces":
            guard let type = KubeObjectKinds.type(resource: rest[2], apiVersion: apiVersion) else { return nil }
            switch r.method {
            case "GET": return try await listObjects(r, type: type, namespace: rest[1])
            case "POST":
                var object = try decodeObject(r, type: type)
                if let ns = object.metadata.namespace, !ns.isEmpty, ns != rest[1] {
                    throw APIError.badRequest("the namespace of the provided object does not match the namespace sent on the request")
                }
                object.metadata.namespace = rest[1]
                return .json(try await backend.createObject(AnyKubeObject(object)).value, code: 201)
            default: throw APIError.methodNotAllowed(r.method)
            }
        case 4 where rest[0] == "namespaces":
            guard let type = KubeObjectKinds.type(resource: rest[2], apiVersion: apiVersion) else { return nil }
            let (namespace, name) = (rest[1], rest[3])
            switch r.method {
            case "GET":
                return .json(try await backend.getObject(resource: type.resource, namespace: namespace, name: name).value)
            case "PUT":
                var object = try decodeObject(r, type: type)
                if let ns = object.metadata.namespace, !ns.isEmpty, ns != namespace {
                    throw APIError.badRequest("the namespace of the provided object does not match the namespace sent on the request")
                }
                if let bodyName = object.metadata.name, bodyName != name {
                    throw APIError.badRequest("the name of the object (\(bodyName)) does not match the name on the URL (\(name))")
                }
                object.metadata.namespace = namespace
                object.metadata.name = name
                return .json(try await backend.replaceObject(AnyKubeObject(object)).value)
            case "DELETE":
                let orphan = try propagationPolicy(r) == "Orphan"
                return .json(
                    try await backend.deleteObject(resource: type.resource, namespace: namespace, name: name, orphanDependents: orphan).value)
            default: throw APIError.methodNotAllowed(r.method)
            }
        default:
            return nil
        }
    }

    /// `propagationPolicy` from the query or a `DeleteOptions` body: Orphan keeps the dependents
    /// (their ownerReferences to the deleted object removed); Background and Foreground delete them.
    private func propagationPolicy(_ r: APIRequest) throws(APIError) -> String {
        var policy = r.query["propagationPolicy"]
        if !r.body.isEmpty {
            struct DeleteOptions: Decodable { var propagationPolicy: String?; var orphanDependents: Bool? }
            guard let options = try? JSONDecoder().decode(DeleteOptions.self, from: r.body) else {
                throw .badRequest("error decoding the DeleteOptions body")
            }
            policy = options.propagationPolicy ?? (options.orphanDependents == true ? "Orphan" : policy)
        }
        let known = ["Orphan", "Background", "Foreground"]
        if let policy, !known.contains(policy) {
            throw .badRequest("DeleteOptions.propagationPolicy: Unsupported value: \"\(policy)\": supported values: \"Orphan\", \"Background\", \"Foreground\"")
        }
        return policy ?? "Background"
    }

    private func decodeObject(_ r: APIRequest, type: any KubeObject.Type) throws(APIError) -> any KubeObject {
        guard !r.body.isEmpty else { throw .badRequest("the request body is empty; expected a \(type.kind)") }
        struct TypeMeta: Decodable { var apiVersion: String?; var kind: String? }
        do {
            let meta = try JSONDecoder().decode(TypeMeta.self, from: r.body)
            if let kind = meta.kind, kind != type.kind {
                throw APIError.badRequest("the body has kind \"\(kind)\", expected \"\(type.kind)\"")
            }
            if let apiVersion = meta.apiVersion, apiVersion != type.apiVersion {
                throw APIError.badRequest("the body has apiVersion \"\(apiVersion)\", expected \"\(type.apiVersion)\"")
            }
            return try KubeObjectDecoder.decode(type, json: r.body)
        } catch let error as APIError {
            throw error
        } catch {
            throw .badRequest("error decoding the request body: \(DecodingErrorText.describe(error))")
        }
    }

    private func listObjects(_ r: APIRequest, type: any KubeObject.Type, namespace: String?) async throws -> APIResponse {
        let (labels, _) = try selectors(r, fields: [])
        if r.flag("watch") {
            let events = try await backend.watchObjects(resource: type.resource)
            return .stream(contentType: "application/json") { write in
                for await event in events {
                    try Task.checkCancellation()
                    if let namespace, event.object.value.namespace != namespace { continue }
                    if !labels.matches(event.object.metadata.labels) { continue }
                    var line = try KubeJSONEncoding.encode(ObjectWatchFrame(type: event.type, object: event.object))
                    line.append(0x0A)
                    try await write([UInt8](line))
                }
            }
        }
        let items = try await backend.listObjects(resource: type.resource, namespace: namespace)
            .filter { labels.matches($0.metadata.labels) }
            .sorted { $0.key < $1.key }
        return .json(ObjectList(apiVersion: type.apiVersion, kind: type.kind + "List", items: items))
    }
}
