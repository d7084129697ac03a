import Foundation
import SwiftletKube
import SwiftletLaunch
import SwiftletRuntime
import SwiftletServer
import SwiftletSystem
import Synchronization

extension Agent {
    /// Checks the pod and container as for exec, and returns a session joined to the container's own stdio.
    public func startAttach(_ request: AttachRequest) async throws -> ExecSession {
        guard let uid = keys["\(request.namespace)/\(request.pod)"], let pod = published[uid] else {
            throw APIError.notFound("pods", name: request.pod)
        }
        let name = try execContainerName(pod, requested: request.container)
        guard pod.status.map({ Self.isRunning(name, in: $0) }) == true else {
            throw APIError.badRequest("container \(name) is not running in pod \(request.pod)")
        }
        let spec = ((pod.spec.initContainers ?? []) + pod.spec.containers).first { $0.name == name }
        if request.stdin && spec?.stdin != true {
            throw APIError.badRequest("stdin is not enabled for container \(name) in pod \(request.pod)")
        }
        let runtime = self.runtime
        // Connected before answering, so a container that stopped meanwhile is an error response.
        let connection: AttachConnection
        do {
            connection = AttachConnection(fd: try await offload { try runtime.attach(uid: uid, container: name, stdin: request.stdin) })
        } catch let error as RuntimeError {
            throw APIError.badRequest(error.message)
        }
        logger.info("attach to \(request.namespace)/\(request.pod)/\(name)\(request.stdin ? " with stdin" : "")")
        return ExecSession { input, output in
            guard let fd = connection.take() else { throw APIError.badRequest("attach session already used") }
            return try await AttachRelay(fd: fd).run(input: input, output: output)
        }
    }
}

/// The pause connection of an attach that has not started streaming yet: closed if the session is
/// dropped unused (the client went away before the response began).
final class AttachConnection: Sendable {
    private let fd: Mutex<Int32?>

    init(fd: Int32) { self.fd = Mutex(fd) }

    func take() -> Int32? { fd.withLock { value in defer { value = nil }; return value } }

    deinit { if let fd = take() { close(fd) } }
}

/// Moves frames between the client's exec-style stream and swiftlet-pause's attach stream. The
/// reading thread owns `fd` and closes it; input is sent through a duplicate owned by the feeder,
/// so neither ever writes to a descriptor number the other has released.
struct AttachRelay: Sendable {
    let fd: Int32

    func run(
        input: AsyncStream<ExecFrame>, output: @escaping @Sendable (ExecFrame) async throws -> Void
    ) async throws -> ExecResult {
        let fd = self.fd
        let sendFD = dup(fd)
        let (frames, sink) = AsyncStream.makeStream(of: AttachFrame.self)
        Thread.detachNewThread {
            var decoder = AttachFrame.Decoder()
            FileIO.readUntilEnd(fd) { chunk in
                guard let decoded = decoder.feed(chunk) else { return false }
                for frame in decoded { sink.yield(frame) }
                return true
            }
            close(fd)
            sink.finish()
        }
        let feeder = Task {
            guard sendFD >= 0 else { return }
            for await frame in input {
                let message: AttachFrame
                switch frame.channel {
                case .stdin: message = AttachFrame(frame.payload.isEmpty ? .stdinEnd : .stdin, frame.payload)
                case .resize:
                    guard let size = try? JSONDecoder().decode(TerminalSize.self, from: Data(frame.payload)) else { continue }
                    message = AttachFrame(.resize, Array("\(size.width) \(size.height)".utf8))
                default: continue
                }
                let sent = await offload { (try? UnixSocket.sendAll(sendFD, message.encoded, subject: "attach stdin")) != nil }
                if !sent { return }
            }
            // The client's request body ended: so did its stdin.
            _ = await offload { (try? UnixSocket.sendAll(sendFD, AttachFrame(.stdinEnd).encoded, subject: "attach stdin")) != nil }
        }
        defer {
            feeder.cancel()
            // Ends the reading thread (and tells the pause we left) whatever state the stream is in.
            shutdown(sendFD, Int32(SHUT_RDWR))
            Task {
                await feeder.value
                if sendFD >= 0 { close(sendFD) }
            }
        }
        return try await withTaskCancellationHandler {
            var exitCode: Int32 = 0
            for await frame in frames {
                switch frame.kind {
                case .stdout: try await output(ExecFrame(.stdout, frame.payload))
                case .stderr: try await output(ExecFrame(.stderr, frame.payload))
                case .exit: exitCode = Int32(String(decoding: frame.payload, as: UTF8.self)) ?? 0
                default: continue
                }
            }
            return ExecResult(exitCode: exitCode)
        } onCancel: {
            shutdown(sendFD, Int32(SHUT_RDWR))
        }
    }
}
