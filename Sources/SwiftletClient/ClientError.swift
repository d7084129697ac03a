#if canImport(Glibc)
import Glibc
#endif
import SwiftletKube

/// Failures talking to the daemon, each naming the socket or the stage that failed.
public enum ClientError: Error, Sendable, CustomStringConvertible {
    case connect(path: String, errno: Int32)
    case io(path: String, stage: String, errno: Int32)
    case malformedResponse(path: String, reason: String)
    case decoding(what: String, reason: String)

    public var description: String {
        switch self {
        case .connect(let path, let code):
            return "cannot connect to swiftlet at \(path): \(ClientError.text(code)) (is the daemon running?)"
        case .io(let path, let stage, let code):
            return "talking to swiftlet at \(path): \(stage): \(ClientError.text(code))"
        case .malformedResponse(let path, let reason):
            return "malformed response from swiftlet at \(path): \(reason)"
        case .decoding(let what, let reason):
            return "cannot decode \(what): \(reason)"
        }
    }

    static func text(_ code: Int32) -> String { String(cString: strerror(code)) }
}

/// A non-2xx answer, printed the way kubectl prints server errors.
public struct APIStatusError: Error, Sendable, CustomStringConvertible {
    public var status: Status

    public init(status: Status) { self.status = status }

    public var description: String {
        "Error from server (\(status.reason ?? "Unknown")): \(status.message)"
    }
}
