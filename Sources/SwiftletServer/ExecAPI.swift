import Foundation
import SwiftletKube

/// `POST /api/v1/namespaces/{ns}/pods/{name}/exec?container=&command=…&stdin=&tty=`.
public struct ExecRequest: Sendable, Hashable {
    public var namespace: String
    public var pod: String
    public var container: String?
    public var command: [String]
    public var stdin: Bool
    public var tty: Bool

    public init(namespace: String, pod: String, container: String?, command: [String], stdin: Bool, tty: Bool) {
        self.namespace = namespace
        self.pod = pod
        self.container = container
        self.command = command
        self.stdin = stdin
        self.tty = tty
    }
}

/// A started exec, ready to run: it reads the client's frames (stdin, resize) from `input`, writes
/// output frames through `output`, and returns when the command has exited and its output is sent.
/// Cancelling the task (the client went away) kills the command.
public struct ExecSession: Sendable {
    public var run: @Sendable (
        _ input: AsyncStream<ExecFrame>, _ output: @escaping @Sendable (ExecFrame) async throws -> Void
    ) async throws -> ExecResult

    public init(
        run: @escaping @Sendable (
            _ input: AsyncStream<ExecFrame>, _ output: @escaping @Sendable (ExecFrame) async throws -> Void
        ) async throws -> ExecResult
    ) {
        self.run = run
    }
}

extension PodAPIBackend {
    public func startExec(_ request: ExecRequest) async throws -> ExecSession {
        throw APIError(code: 405, reason: "MethodNotAllowed", message: "exec is not supported by this server")
    }
}

extension APIRouter {
    static let execContentType = "application/vnd.swiftlet.exec-stream"

    func exec(_ r: APIRequest, namespace: String, name: String) async throws -> APIResponse {
        guard let body = r.bodyStream else {
            throw APIError.badRequest("exec needs a chunked request body carrying the stdin stream")
        }
        let command = r.queryAll["command"] ?? []
        guard !command.isEmpty, !command[0].isEmpty else {
            throw APIError.badRequest("you must specify at least one command for the container")
        }
        let request = ExecRequest(
            namespace: namespace, pod: name, container: r.query["container"].flatMap { $0.isEmpty ? nil : $0 },
            command: command, stdin: r.flag("stdin"), tty: r.flag("tty"))
        return Self.streaming(try await backend.startExec(request), body: body)
    }

    /// Runs a session over the request body (client frames) and the response (output frames, then the result).
    static func streaming(_ session: ExecSession, body: AsyncStream<[UInt8]>) -> APIResponse {
        .stream(contentType: Self.execContentType) { write in
            let (frames, sink) = AsyncStream.makeStream(of: ExecFrame.self)
            let decoder = Task {
                var decoder = ExecFrameDecoder()
                defer { sink.finish() }
                for await bytes in body {
                    guard let decoded = try? decoder.feed(bytes) else { return }
                    for frame in decoded { sink.yield(frame) }
                }
            }
            defer { decoder.cancel() }
            let result: ExecResult
            do {
                result = try await session.run(frames) { frame in try await write(frame.encoded) }
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                result = ExecResult(exitCode: 126, message: "\(error)")
            }
            let status = (try? JSONEncoder().encode(result)).map { [UInt8]($0) } ?? []
            try await write(ExecFrame(.status, status).encoded)
        }
    }
}
