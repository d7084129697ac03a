import Foundation
import Synchronization
import SwiftletKube
#if canImport(Glibc)
import Glibc
#endif

/// The client half of an exec session (`POST .../exec`, see Docs/api.md): a chunked request body
/// of stdin and resize frames, a chunked response of output frames ending with the result.
///
/// `run` reads on the calling thread; `sendStdin`, `closeStdin` and `resize` may be called from any
/// other thread (they only write, serialised by a lock).
public final class ExecConnection: Sendable {
    private let socket: Mutex<SendSide>
    private let reader: Mutex<SocketConnection?>
    private let socketPath: String

    private struct SendSide: @unchecked Sendable {
        // Writes only; the read buffer of the same connection is touched by `run` alone.
        var connection: SocketConnection
        var finished = false
    }

    /// Connects and sends the request head; throws the server's `Status` for a refused exec.
    public convenience init(
        socketPath: String, namespace: String, pod: String, container: String?, command: [String], stdin: Bool, tty: Bool
    ) throws {
        var query = command.map { "command=\(Self.escape($0))" }
        if let container { query.append("container=\(Self.escape(container))") }
        if stdin { query.append("stdin=true") }
        if tty { query.append("tty=true") }
        let path = "/api/v1/namespaces/\(Self.escape(namespace))/pods/\(Self.escape(pod))/exec?" + query.joined(separator: "&")
        try self.init(socketPath: socketPath, path: path)
    }

    /// `swiftlet attach`: the same stream, joined to the container's own stdio.
    public convenience init(socketPath: String, namespace: String, pod: String, attachTo container: String?, stdin: Bool, tty: Bool) throws {
        var query: [String] = []
        if let container { query.append("container=\(Self.escape(container))") }
        if stdin { query.append("stdin=true") }
        if tty { query.append("tty=true") }
        let path = "/api/v1/namespaces/\(Self.escape(namespace))/pods/\(Self.escape(pod))/attach?" + query.joined(separator: "&")
        try self.init(socketPath: socketPath, path: path)
    }

    private init(socketPath: String, path: String) throws {
        self.socketPath = socketPath
        let connection = try SocketConnection(path: socketPath)
        let head = "POST \(path) HTTP/1.1\r\nHost: localhost\r\nUser-Agent: swiftlet-cli\r\n"
            + "Content-Type: application/vnd.swiftlet.exec-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
        do { try connection.send(Array(head.utf8)) } catch {
            connection.close()
            throw error
        }
        socket = Mutex(SendSide(connection: connection))
        reader = Mutex(connection)
    }

    public func sendStdin(_ bytes: [UInt8]) { send(ExecFrame(.stdin, bytes)) }

    /// Tells the command its stdin ended (an empty stdin frame).
    public func closeStdin() { send(ExecFrame(.stdin, [])) }

    public func resize(_ size: TerminalSize) {
        guard let json = try? JSONEncoder().encode(size) else { return }
        send(ExecFrame(.resize, [UInt8](json)))
    }

    private func send(_ frame: ExecFrame) {
        socket.withLock { side in
            guard !side.finished else { return }
            let bytes = frame.encoded
            let chunk = Array(String(bytes.count, radix: 16).utf8) + [13, 10] + bytes + [13, 10]
            // A failed send means the session is over; `run` reports how.
            if (try? side.connection.send(chunk)) == nil { side.finished = true }
        }
    }

    /// Reads the response: hands stdout/stderr to `onOutput` and returns the command's result.
    public func run(onOutput: (ExecChannel, [UInt8]) -> Void) throws -> ExecResult {
        guard let connection = reader.withLock({ $0.take() }) else {
            throw ClientError.malformedResponse(path: socketPath, reason: "exec session already read")
        }
        defer {
            socket.withLock { $0.finished = true }
            connection.close()
        }
        let statusLine = try connection.readLine()
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, let status = Int(parts[1]) else {
            throw ClientError.malformedResponse(path: socketPath, reason: "bad status line \"\(statusLine)\"")
        }
        var headers: [String: String] = [:]
        while true {
            let line = try connection.readLine()
            if line.isEmpty { break }
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingSpaces()
        }
        if status != 200 {
            let length = headers["content-length"].flatMap { Int($0) } ?? 0
            let body = length > 0 ? try connection.read(exactly: length) : []
            if let decoded = try? JSONDecoder().decode(Status.self, from: Data(body)) { throw APIStatusError(status: decoded) }
            throw APIStatusError(status: .failure(status, reason: "Unknown", message: String(decoding: body, as: UTF8.self)))
        }
        var decoder = ExecFrameDecoder()
        while true {
            let sizeLine = try connection.readLine()
            guard let size = Int(sizeLine.split(separator: ";").first.map(String.init)?.trimmingSpaces() ?? "", radix: 16) else {
                throw ClientError.malformedResponse(path: socketPath, reason: "bad chunk size \"\(sizeLine)\"")
            }
            if size == 0 { break }
            let chunk = try connection.read(exactly: size)
            _ = try connection.readLine()
            let frames: [ExecFrame]
            do { frames = try decoder.feed(chunk) } catch {
                throw ClientError.malformedResponse(path: socketPath, reason: error.description)
            }
            for frame in frames {
                switch frame.channel {
                case .stdout, .stderr: onOutput(frame.channel, frame.payload)
                case .status:
                    do { return try JSONDecoder().decode(ExecResult.self, from: Data(frame.payload)) } catch {
                        throw ClientError.decoding(what: "exec result", reason: "\(error)")
                    }
                default: continue
                }
            }
        }
        throw ClientError.malformedResponse(path: socketPath, reason: "exec stream ended without a result")
    }

    private static func escape(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
    }
}
