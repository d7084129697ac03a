import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// The Unix-socket HTTP/1.1 + JSON API (`/run/swiftlet/swiftlet.sock`), Kubernetes paths and shapes.
///
/// Each connection is served by its own task; a client that is slow, sends garbage or vanishes
/// mid-stream only ends its own connection.
public final class APIServer: Sendable {
    /// The API server's own request body limit (3 MiB): larger bodies get 413.
    public static let maxRequestBodyBytes = 3 * 1024 * 1024

    public let socketPath: String
    private let router: APIRouter
    private let state = Mutex<RunState>(RunState())

    private struct RunState {
        var serverChannel: (any Channel)?
        var acceptLoop: Task<Void, Never>?
    }

    /// The group that owns the socket (may connect and read); nil keeps root's.
    let socketGroup: gid_t?

    public init(
        socketPath: String, backend: any PodAPIBackend, version: String, socketGroup: UInt32? = nil,
        access: SocketAccessPolicy = SocketAccessPolicy(adminGroup: nil)
    ) {
        self.socketPath = socketPath
        self.socketGroup = socketGroup.map { gid_t($0) }
        self.router = APIRouter(backend: backend, version: version, access: access)
    }

    /// Binds the socket and starts accepting; returns once the socket is ready for clients.
    public func start() async throws {
        let directory = (socketPath as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        }
        // A stale socket file is removed, but a live one belongs to another daemon: refuse to steal it.
        if APIServer.isServing(socketPath) { throw APIServerError.socketInUse(path: socketPath) }
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(ChannelOptions.backlog, value: 256)
            .bind(unixDomainSocketPath: socketPath, cleanupExistingSocketFile: true) { channel in
                PeerCredentials.of(channel).flatMapThrowing { peer in
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    let wrapped = try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(
                        wrappingChannelSynchronously: channel)
                    return AcceptedConnection(channel: wrapped, peer: peer)
                }
            }
        // Group-writable so an operator group can use the CLI without root; others get nothing.
        if let group = socketGroup, chown(socketPath, 0, group) != 0 {
            let code = errno
            try? await server.channel.close()
            throw APIServerError.socketSetup(path: socketPath, stage: "chown root:\(group)", errno: code)
        }
        guard chmod(socketPath, 0o660) == 0 else {
            let code = errno
            try? await server.channel.close()
            throw APIServerError.socketSetup(path: socketPath, stage: "chmod 0660", errno: code)
        }
        let router = self.router
        let loop = Task<Void, Never> {
            _ = try? await server.executeThenClose { connections in
                await withDiscardingTaskGroup { group in
                    do {
                        for try await connection in connections {
                            group.addTask {
                                await HTTPConnection(channel: connection.channel, router: router, peer: connection.peer).serve()
                            }
                        }
                    } catch {
                        // The listening socket closed (shutdown); open connections are cancelled with the group.
                    }
                    group.cancelAll()
                }
            }
        }
        state.withLock {
            $0.serverChannel = server.channel
            $0.acceptLoop = loop
        }
    }

    /// Stops accepting, ends every open connection (watches and log follows included) and removes the socket file.
    public func shutdown() async throws {
        let (channel, loop) = state.withLock { s in
            defer { s = RunState() }
            return (s.serverChannel, s.acceptLoop)
        }
        loop?.cancel()
        try? await channel?.close()
        await loop?.value
        if unlink(socketPath) != 0 && errno != ENOENT {
            throw APIServerError.socketSetup(path: socketPath, stage: "unlink", errno: errno)
        }
    }
}

extension APIServer {
    /// Whether something accepts connections on `path` right now.
    static func isServing(_ path: String) -> Bool {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        return rc == 0
    }
}

public enum APIServerError: Error, CustomStringConvertible, Sendable {
    case socketSetup(path: String, stage: String, errno: Int32)
    case socketInUse(path: String)

    public var description: String {
        switch self {
        case .socketSetup(let path, let stage, let code):
            return "api socket \(path): \(stage): \(String(cString: strerror(code)))"
        case .socketInUse(let path):
            return "api socket \(path): another process is already serving on it"
        }
    }
}

/// A freshly accepted connection and who made it.
struct AcceptedConnection: Sendable {
    var channel: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>
    var peer: PeerCredentials?
}
