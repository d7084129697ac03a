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
    /// A listening socket handed over by systemd (`LISTEN_FDS`): used as is, never unlinked, so
    /// clients queue in its backlog instead of being refused while the agent restarts.
    let inheritedDescriptor: CInt?

    public init(
        socketPath: String, backend: any PodAPIBackend, version: String, socketGroup: UInt32? = nil,
        access: SocketAccessPolicy = SocketAccessPolicy(adminGroup: nil), inheritedDescriptor: CInt? = nil
    ) {
        self.socketPath = socketPath
        self.socketGroup = socketGroup.map { gid_t($0) }
        self.inheritedDescriptor = inheritedDescriptor
        self.router = APIRouter(backend: backend, version: version, access: access)
    }

    /// Binds the socket (or adopts the inherited one) and starts accepting; returns once the socket is ready for clients.
    public func start() async throws {
        if let inheritedDescriptor {
            let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(ChannelOptions.backlog, value: 256)
                .bind(inheritedDescriptor, childChannelInitializer: Self.initializeConnection)
            startAccepting(server)
            return
        }
        let directory = (socketPath as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        }
        // A stale socket file is removed, but a live one belongs to another daemon: refuse to steal it.
        if APIServer.isServing(socketPath) { throw APIServerError.socketInUse(path: socketPath) }
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(ChannelOptions.backlog, value: 256)
            .bind(unixDomainSocketPath: socketPath, cleanupExistingSocketFile: true, childChannelInitializer: Self.initializeConnection)
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
        startAccepting(server)
    }

    private typealias Connection = NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>

    @Sendable private static func initializeConnection(_ channel: any Channel) -> EventLoopFuture<Connection> {
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
            // Outbound half-closure: finishing the writer shuts the socket's write side only after
            // every buffered write is out (HTTPConnection.serve waits for that before closing).
            return try Connection(
                wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true))
        }
    }

    private func startAccepting(_ server: NIOAsyncChannel<Connection, Never>) {
        let router = self.router
        let loop = Task<Void, Never> {
            _ = try? await server.executeThenClose { connections in
                await withDiscardingTaskGroup { group in
                    do {
                        for try await connection in connections {
                            group.addTask {
                                // Who connected (SO_PEERCRED), read before the first request is served.
                                let peer = try? await PeerCredentials.of(connection.channel).get()
                                await HTTPConnection(channel: connection, router: router, peer: peer ?? nil).serve()
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
        // Close first and let the accept loop drain: a connection accepted just before the close is
        // still served (and closed) by its own task; cancelling the loop first would drop it
        // half-made, which NIO treats as a fatal error. The loop then cancels the open connections.
        try? await channel?.close()
        let watchdog = Task {
            try await Task.sleep(nanoseconds: 2_000_000_000)
            loop?.cancel()
        }
        await loop?.value
        watchdog.cancel()
        // An inherited socket belongs to systemd, which keeps listening while the agent is away.
        if inheritedDescriptor == nil, unlink(socketPath) != 0 && errno != ENOENT {
            throw APIServerError.socketSetup(path: socketPath, stage: "unlink", errno: errno)
        }
    }
}

extension APIServer {
    /// Whether something listens on `path` right now, read from /proc/net/unix (flag __SO_ACCEPTCON)
    /// instead of by connecting: a probe connection reaching a server that is shutting down is a
    /// half-made connection NIO cannot drop gracefully.
    static func isServing(_ path: String) -> Bool {
        // Read as bytes: abstract socket names are arbitrary bytes, and one that is not UTF-8 must not
        // make the whole table unreadable (which would read as "nobody serves" and steal the socket).
        guard let data = FileManager.default.contents(atPath: "/proc/net/unix") else { return false }
        let table = String(decoding: data, as: UTF8.self)
        let resolved = (path as NSString).standardizingPath
        for line in table.split(separator: "\n").dropFirst() {
            // Num RefCount Protocol Flags Type St Inode Path
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 8, let flags = UInt32(fields[3], radix: 16), flags & 0x10000 != 0 else { continue }
            let socketPath = fields[7...].joined(separator: " ")
            if socketPath == path || socketPath == resolved { return true }
        }
        return false
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
