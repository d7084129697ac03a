import Foundation

/// A fully received HTTP request, independent of NIO so routing can be reasoned about alone.
struct APIRequest: Sendable {
    var method: String
    /// Percent-decoded path segments, without the empty leading one.
    var segments: [String]
    var query: [String: String]
    /// Every value of repeated parameters (`command=sh&command=-c`), in order.
    var queryAll: [String: [String]]
    var body: Data
    /// The body as it arrives, for requests that stream both ways (exec); `body` is then empty.
    var bodyStream: AsyncStream<[UInt8]>?
    /// The connecting process, when the transport could tell.
    var peer: PeerCredentials?

    init(method: String, uri: String, body: Data) {
        self.method = method
        self.body = body
        let parts = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let path = parts.first.map(String.init) ?? "/"
        segments = path.split(separator: "/").map { String($0).removingPercentEncoding ?? String($0) }
        var query: [String: String] = [:]
        var queryAll: [String: [String]] = [:]
        if parts.count == 2 {
            for pair in parts[1].split(separator: "&") {
                let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let decode = { (s: Substring) in
                    String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(s)
                }
                guard let key = kv.first.map(decode) else { continue }
                query[key] = kv.count == 2 ? decode(kv[1]) : ""
                queryAll[key, default: []].append(kv.count == 2 ? decode(kv[1]) : "")
            }
        }
        self.query = query
        self.queryAll = queryAll
    }

    /// Kubernetes accepts `true`/`1` (and Go's other `ParseBool` spellings) for boolean parameters.
    func flag(_ name: String) -> Bool {
        guard let value = query[name] else { return false }
        return ["1", "t", "T", "true", "TRUE", "True"].contains(value)
    }

    func integer(_ name: String) throws(APIError) -> Int? {
        guard let text = query[name], !text.isEmpty else { return nil }
        guard let value = Int(text) else {
            throw .badRequest("invalid value for \(name): \"\(text)\" is not an integer")
        }
        return value
    }
}

/// What a route produces: a complete body, or a chunked stream written by `produce`.
enum APIResponse: Sendable {
    case full(code: Int, contentType: String, body: Data)
    case stream(contentType: String, produce: @Sendable (_ write: @escaping @Sendable ([UInt8]) async throws -> Void) async throws -> Void)

    static func json<T: Encodable>(_ value: T, code: Int = 200) -> APIResponse {
        do {
            var body = try KubeJSONEncoding.encode(value)
            body.append(0x0A)
            return .full(code: code, contentType: "application/json", body: body)
        } catch {
            return .error(.internalError("encoding the response: \(error)"))
        }
    }

    /// A 200 with JSON already encoded (`PodJSONCache`).
    static func jsonBody<Bytes: Sequence<UInt8>>(_ json: Bytes, code: Int = 200) -> APIResponse {
        var body = Data(json)
        body.append(0x0A)
        return .full(code: code, contentType: "application/json", body: body)
    }

    static func error(_ error: APIError) -> APIResponse {
        var body = (try? KubeJSONEncoding.encode(error.status)) ?? Data(error.status.message.utf8)
        body.append(0x0A)
        return .full(code: error.status.code, contentType: "application/json", body: body)
    }

    static func text(_ text: String, code: Int = 200) -> APIResponse {
        .full(code: code, contentType: "text/plain; charset=utf-8", body: Data(text.utf8))
    }
}
