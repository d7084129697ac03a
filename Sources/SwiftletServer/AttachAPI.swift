import Foundation
import SwiftletKube

/// `POST /api/v1/namespaces/{ns}/pods/{name}/attach?container=&stdin=&tty=`: the exec stream
/// framing, connected to the container's own stdio (kept by swiftlet-pause) instead of a new process.
public struct AttachRequest: Sendable, Hashable {
    public var namespace: String
    public var pod: String
    public var container: String?
    public var stdin: Bool
    public var tty: Bool

    public init(namespace: String, pod: String, container: String?, stdin: Bool, tty: Bool) {
        self.namespace = namespace
        self.pod = pod
        self.container = container
        self.stdin = stdin
        self.tty = tty
    }
}

extension PodAPIBackend {
    public func startAttach(_ request: AttachRequest) async throws -> ExecSession {
        throw APIError(code: 405, reason: "MethodNotAllowed", message: "attach is not supported by this server")
    }
}

extension APIRouter {
    func attach(_ r: APIRequest, namespace: String, name: String) async throws -> APIResponse {
        guard let body = r.bodyStream else {
            throw APIError.badRequest("attach needs a chunked request body carrying the stdin stream")
        }
        let request = AttachRequest(
            namespace: namespace, pod: name, container: r.query["container"].flatMap { $0.isEmpty ? nil : $0 },
            stdin: r.flag("stdin"), tty: r.flag("tty"))
        return Self.streaming(try await backend.startAttach(request), body: body)
    }
}
