import SwiftletKube

/// An error with the `Status` body the Kubernetes API server would return for it.
public struct APIError: Error, Sendable, CustomStringConvertible {
    public var status: Status

    public init(status: Status) { self.status = status }

    public init(code: Int, reason: String, message: String) {
        self.status = .failure(code, reason: reason, message: message)
    }

    public var description: String { status.message }

    /// 404 `pods "x" not found`; `resource` is the plural lower-case name (`pods`).
    public static func notFound(_ resource: String, name: String) -> APIError {
        APIError(code: 404, reason: "NotFound", message: "\(resource) \"\(name)\" not found")
    }

    /// 409 `pods "x" already exists`.
    public static func alreadyExists(_ resource: String, name: String) -> APIError {
        APIError(code: 409, reason: "AlreadyExists", message: "\(resource) \"\(name)\" already exists")
    }

    /// 422 `Pod "x" is invalid: <cause>`; several causes are bracketed and comma-joined, as `NewInvalid` does.
    public static func invalid(_ kind: String, name: String, causes: [String]) -> APIError {
        let detail = causes.count == 1 ? causes[0] : "[" + causes.joined(separator: ", ") + "]"
        return APIError(code: 422, reason: "Invalid", message: "\(kind) \"\(name)\" is invalid: \(detail)")
    }

    public static func badRequest(_ message: String) -> APIError {
        APIError(code: 400, reason: "BadRequest", message: message)
    }

    public static func conflict(_ message: String) -> APIError {
        APIError(code: 409, reason: "Conflict", message: message)
    }

    public static func methodNotAllowed(_ method: String) -> APIError {
        APIError(code: 405, reason: "MethodNotAllowed", message: "the server does not allow this method on the requested resource")
    }

    public static func requestEntityTooLarge(limit: Int) -> APIError {
        APIError(code: 413, reason: "RequestEntityTooLarge", message: "the request body exceeds the limit of \(limit) bytes")
    }

    public static func internalError(_ message: String) -> APIError {
        APIError(code: 500, reason: "InternalError", message: "Internal error occurred: \(message)")
    }

    /// The generic 404 the API server returns for an unknown path.
    public static let pathNotFound = APIError(code: 404, reason: "NotFound", message: "the server could not find the requested resource")
}
