import Foundation

/// A TCP proxy on 127.0.0.1 in front of a local registry that passes the registry's answers on at a
/// set rate, so a pull of a large image lasts long enough to watch (or kill -9) it in the middle.
/// It keeps the request heads it forwarded, to see what the puller asked for (Range headers).
final class ThrottledProxy: @unchecked Sendable {
    let port: UInt16
    private let target: UInt16
    private let bytesPerSecond: Int
    private let listener: Int32
    private let lock = NSLock()
    private var sockets: Set<Int32> = []
    private var stopped = false
    private var requestText = ""

    var host: String { "127.0.0.1:\(port)" }

    /// Everything the clients sent (request lines and headers; registry pulls have no bodies).
    var requests: String { lock.withLock { requestText } }

    init(target: UInt16, bytesPerSecond: Int) throws {
        self.target = target
        self.bytesPerSecond = bytesPerSecond
        port = try RegistryServer.freePort()
        listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard listener >= 0 else { throw HarnessError("socket: \(errno)") }
        var one: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = Self.loopback(port)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard bound, listen(listener, 16) == 0 else {
            close(listener)
            throw HarnessError("proxy bind/listen: \(errno)")
        }
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    func stop() {
        let open: Set<Int32> = lock.withLock {
            stopped = true
            return sockets
        }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        for fd in open { shutdown(fd, Int32(SHUT_RDWR)) }
    }

    private static func loopback(_ port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = port.bigEndian
        return address
    }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return
            }
            let upstream = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            var address = Self.loopback(target)
            let connected = upstream >= 0 && withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(upstream, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
            }
            let accepted: Bool = lock.withLock {
                guard connected, !stopped else { return false }
                sockets.insert(client)
                sockets.insert(upstream)
                return true
            }
            guard accepted else {
                close(client)
                if upstream >= 0 { close(upstream) }
                continue
            }
            // Both directions end together: whichever side closes first shuts the other down.
            let pair = Countdown(2)
            let done: @Sendable () -> Void = { [self] in
                shutdown(client, Int32(SHUT_RDWR))
                shutdown(upstream, Int32(SHUT_RDWR))
                guard pair.countDown() else { return }
                lock.withLock {
                    sockets.remove(client)
                    sockets.remove(upstream)
                }
                close(client)
                close(upstream)
            }
            Thread.detachNewThread { [self] in
                pump(from: client, to: upstream, rate: nil) { text in self.lock.withLock { self.requestText += text } }
                done()
            }
            Thread.detachNewThread { [self] in
                pump(from: upstream, to: client, rate: bytesPerSecond, record: nil)
                done()
            }
        }
    }

    /// Copies until either side closes; with a rate, in slices of a twentieth of a second's worth.
    private func pump(from source: Int32, to destination: Int32, rate: Int?, record: ((String) -> Void)?) {
        let slice = rate.map { max(1024, $0 / 20) } ?? 65536
        var buffer = [UInt8](repeating: 0, count: slice)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(source, $0.baseAddress, slice, 0) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return }
            record?(String(decoding: buffer[0..<count], as: UTF8.self))
            var offset = 0
            while offset < count {
                let sent = buffer.withUnsafeBytes { send(destination, $0.baseAddress! + offset, count - offset, Int32(MSG_NOSIGNAL)) }
                if sent < 0 && errno == EINTR { continue }
                guard sent > 0 else { return }
                offset += sent
            }
            if rate != nil { usleep(50_000) }
        }
    }
}

/// Counts the two directions of a proxied connection down; the last one closes the sockets.
private final class Countdown: @unchecked Sendable {
    private let lock = NSLock()
    private var remaining: Int

    init(_ count: Int) { remaining = count }

    /// True for the call that reaches zero.
    func countDown() -> Bool {
        lock.withLock {
            remaining -= 1
            return remaining == 0
        }
    }
}
