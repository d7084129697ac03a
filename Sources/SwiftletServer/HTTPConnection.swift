import Foundation
import NIOCore
import NIOHTTP1

/// One client connection: reads requests, answers them in order, streams watches and log follows.
struct HTTPConnection: Sendable {
    let channel: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>
    let router: APIRouter
    let peer: PeerCredentials?

    private struct Incoming: Sendable {
        var head: HTTPRequestHead
        var body: Data
        var tooLarge: Bool
        /// Set for requests whose body streams while the response is written (exec).
        var bodyStream: AsyncStream<[UInt8]>? = nil
    }

    /// `POST .../pods/{name}/exec` and `.../attach`: the body is the client's half of a two-way stream.
    private static func streamsBody(_ head: HTTPRequestHead) -> Bool {
        guard head.method == .POST else { return false }
        let path = head.uri.split(separator: "?", maxSplits: 1).first ?? ""
        let segments = path.split(separator: "/")
        return segments.count == 7 && segments[0] == "api" && segments[2] == "namespaces" && segments[4] == "pods"
            && (segments[6] == "exec" || segments[6] == "attach")
    }

    func serve() async {
        do {
            try await channel.executeThenClose { inbound, outbound in
                let (requests, requestSink) = AsyncStream.makeStream(of: Incoming.self)
                // Finishes when the client closes its side; a running stream watches it to stop early.
                let (closed, closedSink) = AsyncStream.makeStream(of: Void.self)
                // The client may still be sending a refused body: nobody reads it, so its EOF would never come.
                let waitForReader = try await withThrowingTaskGroup(of: Void.self) { group -> Bool in
                    group.addTask {
                        defer {
                            requestSink.finish()
                            closedSink.finish()
                        }
                        try await Self.readRequests(inbound, into: requestSink, outbound: outbound)
                    }
                    loop: for await incoming in requests {
                        if incoming.tooLarge {
                            try await write(
                                .error(.requestEntityTooLarge(limit: APIServer.maxRequestBodyBytes)), to: outbound,
                                keepAlive: false)
                            group.cancelAll()
                            return false
                        }
                        var request = APIRequest(method: incoming.head.method.rawValue, uri: incoming.head.uri, body: incoming.body)
                        request.peer = peer
                        request.bodyStream = incoming.bodyStream
                        let response = await router.handle(request)
                        switch response {
                        case .full:
                            try await write(response, to: outbound, keepAlive: incoming.head.isKeepAlive)
                            if !incoming.head.isKeepAlive { break loop }
                        case .stream(let contentType, let produce):
                            try await stream(contentType: contentType, produce: produce, to: outbound, until: closed)
                            break loop
                        }
                    }
                    group.cancelAll()
                    return true
                }
                if waitForReader { await Self.drain(outbound, channel: channel.channel) }
            }
        } catch {
            // A broken or misbehaving client ends only its own connection.
        }
    }

    /// How long a finished connection waits for its peer to read the last response and close.
    static let drainTimeout: Duration = .seconds(10)

    /// `executeThenClose` closes the channel at once, which drops writes still queued behind a slow
    /// reader (a 1 MB pod list cut off mid-body; swift-nio#2795). Finishing the writer half-closes the
    /// socket after the queued writes; the peer then reads to EOF and closes, which closes the channel.
    /// Bounded by `drainTimeout` and by cancellation (server shutdown), after which the channel is closed anyway.
    private static func drain(
        _ outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>, channel: any Channel
    ) async {
        outbound.finish()
        // A promise rather than a task group: closeFuture.get() ignores cancellation. Completing it twice is a no-op.
        let done = channel.eventLoop.makePromise(of: Void.self)
        channel.closeFuture.whenComplete { _ in done.succeed(()) }
        let timer = channel.eventLoop.scheduleTask(in: .nanoseconds(drainTimeout.components.seconds * 1_000_000_000)) {
            done.succeed(())
        }
        await withTaskCancellationHandler {
            try? await done.futureResult.get()
        } onCancel: {
            done.succeed(())
        }
        timer.cancel()
    }

    private static func readRequests(
        _ inbound: NIOAsyncChannelInboundStream<HTTPServerRequestPart>, into sink: AsyncStream<Incoming>.Continuation,
        outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>
    ) async throws {
        var head: HTTPRequestHead?
        var body = Data()
        var streaming: AsyncStream<[UInt8]>.Continuation?
        defer { streaming?.finish() }
        for try await part in inbound {
            switch part {
            case .head(let h) where streamsBody(h):
                let (stream, continuation) = AsyncStream.makeStream(of: [UInt8].self)
                streaming = continuation
                head = nil
                sink.yield(Incoming(head: h, body: Data(), tooLarge: false, bodyStream: stream))
            case .body(let chunk) where streaming != nil:
                streaming?.yield(Array(chunk.readableBytesView))
            case .end where streaming != nil:
                streaming?.finish()
                streaming = nil
            case .head(let h):
                head = h
                body = Data()
                let declared = h.headers.first(name: "content-length").flatMap(Int.init) ?? 0
                if declared > APIServer.maxRequestBodyBytes {
                    // Answer before reading a body we will not accept.
                    sink.yield(Incoming(head: h, body: Data(), tooLarge: true))
                    return
                }
                // curl waits a second for this before sending a larger body.
                if h.headers.first(name: "expect")?.lowercased() == "100-continue" {
                    try await outbound.write(.head(HTTPResponseHead(version: .http1_1, status: .continue)))
                }
            case .body(let chunk):
                guard let h = head else { continue }
                if body.count + chunk.readableBytes > APIServer.maxRequestBodyBytes {
                    sink.yield(Incoming(head: h, body: Data(), tooLarge: true))
                    return
                }
                body.append(contentsOf: chunk.readableBytesView)
            case .end:
                if let h = head { sink.yield(Incoming(head: h, body: body, tooLarge: false)) }
                head = nil
                body = Data()
            }
        }
    }

    private func write(
        _ response: APIResponse, to outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>, keepAlive: Bool
    ) async throws {
        guard case .full(let code, let contentType, let body) = response else { return }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: contentType)
        headers.add(name: "Content-Length", value: String(body.count))
        headers.add(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        let head = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: code), headers: headers)
        try await outbound.write(.head(head))
        try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: body))))
        try await outbound.write(.end(nil))
    }

    /// Writes a chunked response until the producer finishes, fails, or the client disconnects.
    private func stream(
        contentType: String,
        produce: @escaping @Sendable (_ write: @escaping @Sendable ([UInt8]) async throws -> Void) async throws -> Void,
        to outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>, until closed: AsyncStream<Void>
    ) async throws {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: contentType)
        headers.add(name: "Transfer-Encoding", value: "chunked")
        headers.add(name: "Connection", value: "close")
        try await outbound.write(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers)))
        try await withThrowingTaskGroup(of: Void.self) { race in
            race.addTask {
                try await produce { bytes in try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: bytes)))) }
            }
            race.addTask { for await _ in closed {} }
            _ = try await race.next()
            race.cancelAll()
        }
        // On server shutdown this task is cancelled, and a cancelled task cannot write; the final
        // chunk still goes out so the client sees a cleanly ended stream (and re-watches) rather than a cut.
        try await Task { try await outbound.write(.end(nil)) }.value
    }
}
