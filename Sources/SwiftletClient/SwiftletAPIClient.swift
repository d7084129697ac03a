import Foundation
import SwiftletKube

/// Typed calls on the swiftlet API; every non-2xx answer becomes `APIStatusError`.
public struct SwiftletAPIClient: Sendable {
    public static let defaultSocketPath = "/run/swiftlet/swiftlet.sock"

    public var http: UnixHTTPClient

    public init(socketPath: String) { http = UnixHTTPClient(socketPath: socketPath) }

    /// `{"type":…,"object":{Pod}}`, the watch frame as the CLI reads it.
    public struct PodWatchEvent: Decodable, Sendable {
        public var type: String
        public var object: Pod
    }

    public struct EventWatchEvent: Decodable, Sendable {
        public var type: String
        public var object: Event
    }

    public struct LogQuery: Sendable {
        public var container: String?
        public var follow = false
        public var previous = false
        public var timestamps = false
        public var tailLines: Int?
        public var limitBytes: Int?
        public var sinceSeconds: Int?
        /// RFC 3339.
        public var sinceTime: String?
        public init() {}
    }

    public struct ServerVersion: Decodable, Sendable {
        public var gitVersion: String
        public var platform: String?
    }

    // MARK: pods

    public func listPods(namespace: String?, labelSelector: String? = nil, fieldSelector: String? = nil) throws -> PodList {
        try call("GET", podsPath(namespace) + query(["labelSelector": labelSelector, "fieldSelector": fieldSelector]))
    }

    public func getPod(namespace: String, name: String) throws -> Pod {
        try call("GET", podsPath(namespace) + "/" + escape(name))
    }

    public func createPod(_ pod: Pod) throws -> Pod {
        try call("POST", podsPath(pod.namespace), body: try KubeJSON.encode(pod))
    }

    public func replacePod(_ pod: Pod) throws -> Pod {
        try call("PUT", podsPath(pod.namespace) + "/" + escape(pod.name), body: try KubeJSON.encode(pod))
    }

    public func deletePod(namespace: String, name: String, gracePeriodSeconds: Int64? = nil) throws -> Pod {
        try call(
            "DELETE",
            podsPath(namespace) + "/" + escape(name) + query(["gracePeriodSeconds": gracePeriodSeconds.map { String($0) }]))
    }

    /// Streams watch events until `onEvent` returns false or the server ends the stream.
    public func watchPods(
        namespace: String?, labelSelector: String? = nil, fieldSelector: String? = nil,
        onEvent: (PodWatchEvent) -> Bool
    ) throws {
        let path = podsPath(namespace)
            + query(["watch": "true", "labelSelector": labelSelector, "fieldSelector": fieldSelector])
        var lines = LineSplitter()
        let response = try http.stream("GET", path) { chunk throws(ClientError) in
            for line in lines.feed(chunk) where !line.isEmpty {
                do {
                    guard onEvent(try JSONDecoder().decode(PodWatchEvent.self, from: Data(line))) else { return false }
                } catch {
                    throw .decoding(what: "watch event", reason: String(describing: error))
                }
            }
            return true
        }
        try check(response)
    }

    /// Streams a container log; `onData` gets raw text as the server sends it.
    public func streamLogs(namespace: String, pod: String, options: LogQuery, onData: ([UInt8]) -> Void) throws {
        let path = podsPath(namespace) + "/" + escape(pod) + "/log" + query([
            "container": options.container,
            "follow": options.follow ? "true" : nil,
            "previous": options.previous ? "true" : nil,
            "timestamps": options.timestamps ? "true" : nil,
            "tailLines": options.tailLines.map { String($0) },
            "limitBytes": options.limitBytes.map { String($0) },
            "sinceSeconds": options.sinceSeconds.map { String($0) },
            "sinceTime": options.sinceTime,
        ])
        let response = try http.stream("GET", path) { chunk in
            onData(chunk)
            return true
        }
        try check(response)
    }

    // MARK: other resources

    public func listEvents(namespace: String?, fieldSelector: String? = nil) throws -> EventList {
        let base = namespace.map { "/api/v1/namespaces/\(escape($0))/events" } ?? "/api/v1/events"
        return try call("GET", base + query(["fieldSelector": fieldSelector]))
    }

    /// Streams event changes (first `ADDED` for every event kept) until `onEvent` returns false.
    public func watchEvents(namespace: String?, fieldSelector: String? = nil, onEvent: (EventWatchEvent) -> Bool) throws {
        let base = namespace.map { "/api/v1/namespaces/\(escape($0))/events" } ?? "/api/v1/events"
        var lines = LineSplitter()
        let response = try http.stream("GET", base + query(["watch": "true", "fieldSelector": fieldSelector])) {
            chunk throws(ClientError) in
            for line in lines.feed(chunk) where !line.isEmpty {
                do {
                    guard onEvent(try JSONDecoder().decode(EventWatchEvent.self, from: Data(line))) else { return false }
                } catch {
                    throw .decoding(what: "watch event", reason: String(describing: error))
                }
            }
            return true
        }
        try check(response)
    }

    public func manifests() throws -> ManifestFileList { try call("GET", "/apis/swiftlet.dev/v1/manifests") }

    public func version() throws -> ServerVersion { try call("GET", "/version") }

    /// Asks the daemon to stop every pod gracefully and exit; returns its message.
    public func drain() throws -> Status { try call("POST", "/apis/swiftlet.dev/v1/drain") }

    public func nodes() throws -> NodeList { try call("GET", "/api/v1/nodes") }

    /// The kubelet Summary API: node, pod and container CPU and memory.
    public func statsSummary() throws -> StatsSummary { try call("GET", "/stats/summary") }

    // MARK: plumbing

    private func podsPath(_ namespace: String?) -> String {
        namespace.map { "/api/v1/namespaces/\(escape($0))/pods" } ?? "/api/v1/pods"
    }

    func call<T: Decodable>(_ method: String, _ path: String, body: Data? = nil) throws -> T {
        let response = try http.request(method, path, body: body.map { [UInt8]($0) })
        try check(response)
        do {
            return try JSONDecoder().decode(T.self, from: Data(response.body))
        } catch {
            throw ClientError.decoding(what: "\(T.self) from \(method) \(path)", reason: String(describing: error))
        }
    }

    private func check(_ response: HTTPResponse) throws {
        guard !(200..<300).contains(response.status) else { return }
        if let status = try? JSONDecoder().decode(Status.self, from: Data(response.body)) {
            throw APIStatusError(status: status)
        }
        let text = response.bodyText.trimmingCharacters(in: .whitespacesAndNewlines)
        throw APIStatusError(
            status: .failure(response.status, reason: "Unknown", message: text.isEmpty ? "HTTP \(response.status)" : text))
    }

    private func query(_ items: KeyValuePairs<String, String?>) -> String {
        let parts = items.compactMap { key, value in value.map { "\(key)=\(escape($0))" } }
        return parts.isEmpty ? "" : "?" + parts.joined(separator: "&")
    }

    private func escape(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
    }
}

/// Splits a byte stream into newline-terminated lines across chunk boundaries.
public struct LineSplitter: Sendable {
    private var pending: [UInt8] = []

    public init() {}

    public mutating func feed(_ bytes: [UInt8]) -> [[UInt8]] {
        pending.append(contentsOf: bytes)
        var lines: [[UInt8]] = []
        var start = 0
        while let newline = pending[start...].firstIndex(of: UInt8(ascii: "\n")) {
            lines.append(Array(pending[start..<newline]))
            start = newline + 1
        }
        pending.removeFirst(start)
        return lines
    }
}
