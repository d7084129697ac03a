import Foundation
import SwiftletKube
import SwiftletRuntime
import SwiftletServer
import SwiftletSystem

extension Agent {
    /// Checks the pod and container the way the kubelet does before an exec, and returns the session.
    public func startExec(_ request: ExecRequest) async throws -> ExecSession {
        guard let uid = keys["\(request.namespace)/\(request.pod)"], let pod = published[uid] else {
            throw APIError.notFound("pods", name: request.pod)
        }
        let name = try execContainerName(pod, requested: request.container)
        let runtime = self.runtime
        let attempts = await offload { runtime.observeAttempts(uid: uid)[name] ?? [] }
        // The running attempt: started, not exited, and past swiftlet-init (its root is the container's).
        guard let current = attempts.last, current.exit == nil, let pid = current.pid,
            pod.status.map({ Self.isRunning(name, in: $0) }) == true
        else {
            throw APIError.badRequest("container \(name) is not running in pod \(request.pod)")
        }
        let log = logger
        return ExecSession { input, output in
            let process = try await offload {
                try runtime.startExec(
                    uid: uid, container: name, pid: pid, command: request.command, stdin: request.stdin, tty: request.tty)
            }
            log.info("exec in \(request.namespace)/\(request.pod)/\(name): \(request.command) (pid \(process.pid))")
            return try await ExecRelay(process: process).run(input: input, output: output)
        }
    }

    static func isRunning(_ container: String, in status: PodStatus) -> Bool {
        let all = (status.initContainerStatuses ?? []) + (status.containerStatuses ?? [])
        return all.first { $0.name == container }?.state.running != nil
    }

    /// kubectl's rule, as the API server applies it: the named container, or the only one.
    func execContainerName(_ pod: Pod, requested: String?) throws -> String {
        let all = (pod.spec.initContainers ?? []) + pod.spec.containers
        if let requested {
            guard all.contains(where: { $0.name == requested }) else {
                throw APIError.badRequest("container \(requested) is not valid for pod \(pod.name)")
            }
            return requested
        }
        guard pod.spec.containers.count == 1 else {
            throw APIError.badRequest(
                "a container name must be specified for pod \(pod.name), choose one of: ["
                    + pod.spec.containers.map(\.name).joined(separator: " ") + "]")
        }
        return pod.spec.containers[0].name
    }
}

/// Moves bytes between an exec'd command's descriptors and the client's frames. Blocking reads run
/// on their own threads (off the cooperative pool); cancellation kills the helper, and with it the
/// command (its parent-death signal).
struct ExecRelay: Sendable {
    let process: ExecProcess

    func run(
        input: AsyncStream<ExecFrame>, output: @escaping @Sendable (ExecFrame) async throws -> Void
    ) async throws -> ExecResult {
        let pid = process.pid
        let process = self.process
        let feeder = Task { await Self.feed(input, to: process) }
        defer {
            feeder.cancel()
            process.stdin.map { _ = close($0) }
            process.terminalSizes.map { _ = close($0) }
        }
        return try await withTaskCancellationHandler {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await Self.pump(process.stdout, .stdout, output) }
                if let stderr = process.stderr { group.addTask { try await Self.pump(stderr, .stderr, output) } }
                let status = await offload { (try? Spawn.wait(pid)).map { ExitStatus(waitStatus: $0).exitCode } ?? 126 }
                try await group.waitForAll()
                return ExecResult(exitCode: status)
            }
        } onCancel: {
            kill(pid, SIGKILL)
        }
    }

    /// stdin bytes and terminal sizes from the client; an empty stdin frame (or the end of the request) closes stdin.
    static func feed(_ input: AsyncStream<ExecFrame>, to process: ExecProcess) async {
        var stdinOpen = process.stdin != nil
        for await frame in input {
            switch frame.channel {
            case .stdin:
                guard stdinOpen, let fd = process.stdin else { continue }
                if frame.payload.isEmpty {
                    shutdown(fd, Int32(SHUT_WR))
                    stdinOpen = false
                } else {
                    let bytes = frame.payload
                    let sent = await offload { (try? UnixSocket.sendAll(fd, bytes, subject: "exec stdin")) != nil }
                    if !sent { stdinOpen = false }
                }
            case .resize:
                guard let fd = process.terminalSizes,
                    let size = try? JSONDecoder().decode(TerminalSize.self, from: Data(frame.payload))
                else { continue }
                let line = Array("\(size.width) \(size.height)\n".utf8)
                _ = await offload { (try? UnixSocket.sendAll(fd, line, subject: "exec terminal size")) != nil }
            default:
                continue
            }
        }
        if stdinOpen, let fd = process.stdin { shutdown(fd, Int32(SHUT_WR)) }
    }

    /// Copies one output descriptor into frames until end of file; the reading thread owns and closes it.
    static func pump(
        _ fd: Int32, _ channel: ExecChannel, _ output: @escaping @Sendable (ExecFrame) async throws -> Void
    ) async throws {
        let (chunks, sink) = AsyncStream.makeStream(of: [UInt8].self)
        Thread.detachNewThread {
            FileIO.readUntilEnd(fd) { chunk in
                sink.yield(Array(chunk))
                return true
            }
            close(fd)
            sink.finish()
        }
        for await chunk in chunks { try await output(ExecFrame(channel, chunk)) }
    }
}
