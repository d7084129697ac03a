import Foundation
import SwiftletKube
import SwiftletSystem

/// Maps Kubernetes REST paths onto the backend. Pure request → response apart from the backend calls,
/// so every route behaves the same whichever transport carried it.
struct APIRouter: Sendable {
    var backend: any PodAPIBackend
    var version: String
    var access: SocketAccessPolicy = SocketAccessPolicy(adminGroup: nil)
    /// Pods encoded once per resourceVersion, shared by every list, watch and get.
    var podJSON = PodJSONCache()

    func handle(_ request: APIRequest) async -> APIResponse {
        let started = ContinuousClock.now
        let response: APIResponse
        do {
            response = try await route(request)
        } catch let error as APIError {
            response = .error(error)
        } catch {
            response = .error(.internalError(String(describing: error)))
        }
        let code: Int
        switch response {
        case .full(let c, _, _): code = c
        case .stream: code = 200
        }
        let elapsed = ContinuousClock.now - started
        await backend.observeRequest(
            method: request.method, path: Self.pathTemplate(request.segments), code: code,
            seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        return response
    }

    /// The route a request took, with names replaced (`/api/v1/namespaces/{namespace}/pods/{name}`),
    /// so that request metrics have a label set that does not grow with every pod.
    static func pathTemplate(_ s: [String]) -> String {
        let prefixLength = s.first == "api" ? 2 : s.first == "apis" ? 3 : 0
        guard prefixLength > 0, s.count > prefixLength, s.count <= prefixLength + 5 else {
            let known = ["healthz", "readyz", "livez", "version", "metrics", "stats"]
            return s.count <= 2 && known.contains(s.first ?? "") ? "/" + s.joined(separator: "/") : "other"
        }
        var out = Array(s.prefix(prefixLength))
        var rest = Array(s.dropFirst(prefixLength))
        if rest.first == "namespaces", rest.count >= 2 {
            out += ["namespaces", "{namespace}"]
            rest.removeFirst(2)
        }
        // resource [/ name [/ subresource]]; anything else is one label value, so that a client
        // making up paths cannot grow the metric's label set.
        let resources: Set = [
            "pods", "nodes", "events", "configmaps", "secrets", "namespaces", "manifests", "replicasets",
            "deployments", "daemonsets", "jobs", "cronjobs", "drain",
        ]
        guard let resource = rest.first, resources.contains(resource), rest.count <= 3 else { return "other" }
        out.append(resource)
        if rest.count >= 2 { out.append("{name}") }
        if rest.count == 3 { out.append(["log", "status", "exec", "attach", "scale"].contains(rest[2]) ? rest[2] : "{subresource}") }
        return "/" + out.joined(separator: "/")
    }

    private func route(_ r: APIRequest) async throws -> APIResponse {
        let s = r.segments
        if !["GET", "HEAD"].contains(r.method) && !access.mayWrite(r.peer) {
            let who = r.peer.map(\.description) ?? "an unidentified peer"
            FileHandle.standardError.write(Data("swiftlet: refused \(r.method) /\(s.joined(separator: "/")) from \(who)\n".utf8))
            throw APIError(
                code: 403, reason: "Forbidden",
                message: "\(who) may not \(r.method) /\(s.joined(separator: "/")): writes need root or the admin group")
        }
        switch s.count {
        case 1 where s[0] == "healthz" || s[0] == "readyz" || s[0] == "livez":
            try allow(r, "GET")
            return .text("ok")
        case 1 where s[0] == "version":
            try allow(r, "GET")
            return .json(VersionInfo(swiftletVersion: version))
        case 1 where s[0] == "metrics":
            try allow(r, "GET")
            guard let text = await backend.metrics() else { throw APIError.pathNotFound }
            return .full(code: 200, contentType: "text/plain; version=0.0.4; charset=utf-8", body: Data(text.utf8))
        default: break
        }
        if s == ["stats", "summary"] {
            try allow(r, "GET")
            guard let summary = await backend.statsSummary() else { throw APIError.pathNotFound }
            return .json(summary)
        }
        if s == ["apis", "swiftlet.dev", "v1", "drain"] {
            try allow(r, "POST")
            let message = try await backend.requestDrain()
            return .json(Status(status: "Success", message: message, reason: nil, code: 202), code: 202)
        }
        if s.starts(with: ["apis", "swiftlet.dev", "v1", "manifests"]), s.count == 4 {
            try allow(r, "GET")
            return .json(ManifestFileList(items: await backend.manifestFiles()))
        }
        if s.count >= 4, s[0] == "apis", let response = try await routeObjects(r, Array(s.dropFirst(3)), apiVersion: s[1] + "/" + s[2]) {
            return response
        }
        guard s.count >= 3, s[0] == "api", s[1] == "v1" else { throw APIError.pathNotFound }
        let rest = Array(s.dropFirst(2))
        if let response = try await routeObjects(r, rest) { return response }
        switch rest.count {
        case 1 where rest[0] == "pods":
            try allow(r, "GET")
            return try await listPods(r, namespace: nil)
        case 1 where rest[0] == "nodes":
            try allow(r, "GET")
            let nodes = await backend.node().map { [$0] } ?? []
            return .json(NodeList(items: nodes))
        case 2 where rest[0] == "nodes":
            try allow(r, "GET")
            guard let node = await backend.node(), node.metadata.name == rest[1] else {
                throw APIError.notFound("nodes", name: rest[1])
            }
            return .json(node)
        case 1 where rest[0] == "events":
            try allow(r, "GET")
            return try await listEvents(r, namespace: nil)
        case 3 where rest[0] == "namespaces" && rest[2] == "pods":
            switch r.method {
            case "GET": return try await listPods(r, namespace: rest[1])
            case "POST": return try await createPod(r, namespace: rest[1])
            default: throw APIError.methodNotAllowed(r.method)
            }
        case 3 where rest[0] == "namespaces" && rest[2] == "events":
            try allow(r, "GET")
            return try await listEvents(r, namespace: rest[1])
        case 4 where rest[0] == "namespaces" && rest[2] == "pods":
            let (namespace, name) = (rest[1], rest[3])
            switch r.method {
            case "GET":
                guard let pod = await backend.getPod(namespace: namespace, name: name) else {
                    throw APIError.notFound("pods", name: name)
                }
                // Read from the cache but not stored: a get alone never learns that the pod went away.
                return .jsonBody(try podJSON.json(pod, store: false))
            case "PUT": return try await replacePod(r, namespace: namespace, name: name)
            case "DELETE": return try await deletePod(r, namespace: namespace, name: name)
            default: throw APIError.methodNotAllowed(r.method)
            }
        case 5 where rest[0] == "namespaces" && rest[2] == "pods" && rest[4] == "exec":
            try allow(r, "POST")
            return try await exec(r, namespace: rest[1], name: rest[3])
        case 5 where rest[0] == "namespaces" && rest[2] == "pods" && rest[4] == "attach":
            try allow(r, "POST")
            return try await attach(r, namespace: rest[1], name: rest[3])
        case 5 where rest[0] == "namespaces" && rest[2] == "pods" && rest[4] == "log":
            try allow(r, "GET")
            return try await podLog(r, namespace: rest[1], name: rest[3])
        default:
            throw APIError.pathNotFound
        }
    }

    func allow(_ r: APIRequest, _ methods: String...) throws(APIError) {
        guard methods.contains(r.method) else { throw .methodNotAllowed(r.method) }
    }

    // MARK: pods

    func selectors(_ r: APIRequest, fields supported: Set<String>) throws(APIError) -> (LabelSelector, FieldSelector) {
        do {
            let labels = try LabelSelector(parsing: r.query["labelSelector"] ?? "")
            let fields = try FieldSelector(parsing: r.query["fieldSelector"] ?? "", supported: supported)
            return (labels, fields)
        } catch {
            throw .badRequest(error.description)
        }
    }

    private func listPods(_ r: APIRequest, namespace: String?) async throws -> APIResponse {
        let (labels, fields) = try selectors(r, fields: FieldSelector.podFields)
        if r.flag("watch") { return watchPods(namespace: namespace, labels: labels, fields: fields) }
        let all = await backend.listPods(namespace: namespace)
        let pods = all.filter {
            (namespace == nil || $0.namespace == namespace) && labels.matches($0.metadata.labels) && fields.matches($0)
        }
        podJSON.retain(live: all, namespace: namespace)
        return .jsonBody(try podJSON.list(pods.sorted(computing: \.key)))
    }

    /// Filters the backend's watch like the API server's watch cache: an object that stops
    /// matching the selectors is reported as DELETED, one that starts matching as ADDED.
    private func watchPods(namespace: String?, labels: LabelSelector, fields: FieldSelector) -> APIResponse {
        let backend = self.backend
        let podJSON = self.podJSON
        return .stream(contentType: "application/json") { write in
            let events = await backend.watchPods()
            var visible = Set<String>()
            for await event in events {
                try Task.checkCancellation()
                let pod = event.object
                if let namespace, pod.namespace != namespace { continue }
                let matches = labels.matches(pod.metadata.labels) && fields.matches(pod)
                let wasVisible = visible.contains(pod.key)
                var type = event.type
                switch (event.type, matches, wasVisible) {
                case (WatchEvent.deleted, _, true): visible.remove(pod.key)
                case (WatchEvent.deleted, _, false): continue
                case (_, true, false): type = WatchEvent.added; visible.insert(pod.key)
                case (_, true, true): type = event.type == WatchEvent.added ? WatchEvent.modified : event.type
                case (_, false, true): type = WatchEvent.deleted; visible.remove(pod.key)
                case (_, false, false): continue
                }
                var line = try podJSON.watchEvent(type: type, object: pod)
                line.append(0x0A)
                try await write(line)
            }
        }
    }

    private func decodePod(_ r: APIRequest) throws(APIError) -> Pod {
        guard !r.body.isEmpty else { throw .badRequest("the request body is empty; expected a Pod") }
        struct TypeMeta: Decodable { var apiVersion: String?; var kind: String? }
        do {
            let meta = try JSONDecoder().decode(TypeMeta.self, from: r.body)
            if let kind = meta.kind, kind != "Pod" {
                throw APIError.badRequest("the body has kind \"\(kind)\", expected \"Pod\"")
            }
            if let apiVersion = meta.apiVersion, apiVersion != "v1" {
                throw APIError.badRequest("the body has apiVersion \"\(apiVersion)\", expected \"v1\"")
            }
            return try JSONDecoder().decode(Pod.self, from: r.body)
        } catch let error as APIError {
            throw error
        } catch {
            throw .badRequest("error decoding the request body: \(DecodingErrorText.describe(error))")
        }
    }

    private func createPod(_ r: APIRequest, namespace: String) async throws -> APIResponse {
        var pod = try decodePod(r)
        if let bodyNamespace = pod.metadata.namespace, !bodyNamespace.isEmpty, bodyNamespace != namespace {
            throw APIError.badRequest(
                "the namespace of the provided object does not match the namespace sent on the request")
        }
        pod.metadata.namespace = namespace
        return .json(try await backend.createPod(pod), code: 201)
    }

    private func replacePod(_ r: APIRequest, namespace: String, name: String) async throws -> APIResponse {
        var pod = try decodePod(r)
        if let bodyNamespace = pod.metadata.namespace, !bodyNamespace.isEmpty, bodyNamespace != namespace {
            throw APIError.badRequest(
                "the namespace of the provided object does not match the namespace sent on the request")
        }
        if let bodyName = pod.metadata.name, bodyName != name {
            throw APIError.badRequest("the name of the object (\(bodyName)) does not match the name on the URL (\(name))")
        }
        pod.metadata.namespace = namespace
        pod.metadata.name = name
        return .json(try await backend.replacePod(pod))
    }

    private func deletePod(_ r: APIRequest, namespace: String, name: String) async throws -> APIResponse {
        var grace = try r.integer("gracePeriodSeconds").map(Int64.init)
        if !r.body.isEmpty {
            struct DeleteOptions: Decodable { var gracePeriodSeconds: Int64? }
            do {
                let options = try JSONDecoder().decode(DeleteOptions.self, from: r.body)
                grace = options.gracePeriodSeconds ?? grace
            } catch {
                throw APIError.badRequest("error decoding DeleteOptions: \(DecodingErrorText.describe(error))")
            }
        }
        if let g = grace, g < 0 { throw APIError.badRequest("gracePeriodSeconds must be >= 0, got \(g)") }
        return .json(try await backend.deletePod(namespace: namespace, name: name, gracePeriodSeconds: grace))
    }

    private func podLog(_ r: APIRequest, namespace: String, name: String) async throws -> APIResponse {
        var options = LogOptions()
        options.container = r.query["container"].flatMap { $0.isEmpty ? nil : $0 }
        options.follow = r.flag("follow")
        options.previous = r.flag("previous")
        options.timestamps = r.flag("timestamps")
        options.tailLines = try r.integer("tailLines")
        options.limitBytes = try r.integer("limitBytes")
        if let limit = options.limitBytes, limit <= 0 { throw APIError.badRequest("limitBytes must be greater than 0") }
        options.since = try Self.logSince(r)
        guard await backend.getPod(namespace: namespace, name: name) != nil else {
            throw APIError.notFound("pods", name: name)
        }
        let source = try await backend.containerLog(
            namespace: namespace, pod: name, container: options.container, previous: options.previous)
        let reader = ContainerLogReader(source: source, options: options)
        return .stream(contentType: "text/plain") { write in try await reader.run(write: write) }
    }

    /// `sinceSeconds` (relative to now) or `sinceTime` (RFC 3339), as the API server validates them.
    static func logSince(_ r: APIRequest) throws -> WallTime? {
        let seconds = try r.integer("sinceSeconds")
        let time = r.query["sinceTime"].flatMap { $0.isEmpty ? nil : $0 }
        if seconds != nil && time != nil {
            throw APIError.badRequest("sinceSeconds: Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified")
        }
        if let seconds {
            guard seconds > 0 else { throw APIError.badRequest("sinceSeconds: Invalid value: \(seconds): must be greater than 0") }
            let now = WallTime.now()
            return WallTime(seconds: now.seconds - Int64(seconds), nanoseconds: now.nanoseconds)
        }
        guard let time else { return nil }
        guard let parsed = RFC3339.parse(time) else {
            throw APIError.badRequest("invalid value for sinceTime: \"\(time)\" is not an RFC 3339 time")
        }
        return WallTime(seconds: parsed.seconds, nanoseconds: parsed.nanoseconds)
    }
}

/// `GET /version`, shaped like `k8s.io/apimachinery/pkg/version.Info`.
struct VersionInfo: Codable, Sendable {
    var major: String
    var minor: String
    var gitVersion: String
    var platform: String
    var compiler: String = "swift"

    init(swiftletVersion: String) {
        let numbers = swiftletVersion.drop { $0 == "v" }.split(separator: ".")
        major = numbers.first.map(String.init) ?? "0"
        minor = numbers.dropFirst().first.map(String.init) ?? "0"
        gitVersion = swiftletVersion.hasPrefix("v") ? swiftletVersion : "v" + swiftletVersion
        #if arch(x86_64)
        platform = "linux/amd64"
        #elseif arch(arm64)
        platform = "linux/arm64"
        #else
        platform = "linux/unknown"
        #endif
    }
}

/// Turns `DecodingError` into one line naming the JSON path, like the API server's decode errors.
enum DecodingErrorText {
    static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return String(describing: error) }
        func path(_ keys: [any CodingKey]) -> String {
            var out = ""
            for key in keys {
                if let index = key.intValue { out += "[\(index)]" } else { out += (out.isEmpty ? "" : ".") + key.stringValue }
            }
            return out.isEmpty ? "<root>" : out
        }
        switch error {
        case .typeMismatch(let type, let c): return "\(path(c.codingPath)): expected \(type): \(c.debugDescription)"
        case .valueNotFound(let type, let c): return "\(path(c.codingPath)): expected \(type), found null"
        case .keyNotFound(let key, let c): return "\(path(c.codingPath + [key])): Required value"
        case .dataCorrupted(let c):
            let underlying = (c.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
            return "\(path(c.codingPath)): \(underlying ?? c.debugDescription)"
        @unknown default: return String(describing: error)
        }
    }
}
