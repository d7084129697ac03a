import CSwiftletShim
#if !hasFeature(Embedded)  // swiftlet-pause (Embedded Swift) gets libc from CSwiftletShim alone
import Glibc
#endif

/// Stream Unix-domain sockets for the agent ↔ swiftlet-pause control channel.
public enum UnixSocket {
    private static func address(_ path: String) throws(SystemError) -> sockaddr_un {
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: addr.sun_path)
        guard bytes.count < capacity else { throw SystemError("bind", path + " (path too long)", errno: ENAMETOOLONG) }
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
            raw[bytes.count] = 0
        }
        return addr
    }

    /// Binds and listens; removes a stale socket file first. The fd is close-on-exec.
    public static func listen(path: String, mode: mode_t = 0o600, backlog: Int32 = 64) throws(SystemError) -> Int32 {
        unlink(path)
        let fd = try syscallRetrying("socket", path) { socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0) }
        do {
            var addr = try address(path)
            try syscallRetrying("bind", path) {
                withUnsafePointer(to: &addr) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
                }
            }
            try syscallRetrying("chmod", path) { chmod(path, mode) }
            try syscallRetrying("listen", path) { systemListen(fd, backlog) }
        } catch {
            close(fd)
            throw error
        }
        return fd
    }

    public static func connect(path: String) throws(SystemError) -> Int32 {
        let fd = try syscallRetrying("socket", path) { socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0) }
        do {
            var addr = try address(path)
            try syscallRetrying("connect", path) {
                withUnsafePointer(to: &addr) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { systemConnect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
                }
            }
        } catch {
            close(fd)
            throw error
        }
        return fd
    }

    /// Sets SO_RCVTIMEO/SO_SNDTIMEO so a wedged peer cannot block the caller forever.
    public static func setTimeout(_ fd: Int32, milliseconds: Int) {
        var tv = timeval(tv_sec: milliseconds / 1000, tv_usec: (milliseconds % 1000) * 1000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Reads up to the first newline (exclusive), at most `limit` bytes.
    public static func readLine(_ fd: Int32, limit: Int = 64 * 1024, subject: String) throws(SystemError) -> String {
        var line: [UInt8] = []
        var byte: UInt8 = 0
        while line.count < limit {
            let n = try syscallRetrying("read", subject) { read(fd, &byte, 1) }
            if n == 0 || byte == 10 { break }
            line.append(byte)
        }
        return String(decoding: line, as: UTF8.self)
    }

    /// One request/response exchange: connect, send `request` + "\n", read one line back.
    public static func exchange(path: String, request: String, timeoutMilliseconds: Int = 10_000) throws(SystemError) -> String {
        let fd = try connect(path: path)
        defer { close(fd) }
        setTimeout(fd, milliseconds: timeoutMilliseconds)
        try FileIO.writeAll(fd, request + "\n", subject: path)
        return try readLine(fd, subject: path)
    }
}

extension UnixSocket {
    /// A connected pair of stream sockets, both close-on-exec. Used instead of a pipe where the
    /// agent writes: `send(MSG_NOSIGNAL)` to a peer that went away is EPIPE, never a SIGPIPE.
    public static func pair() throws(SystemError) -> (Int32, Int32) {
        var fds: [Int32] = [0, 0]
        try syscallRetrying("socketpair") {
            socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds)
        }
        return (fds[0], fds[1])
    }

    /// Writes every byte; throws (EPIPE included) instead of raising SIGPIPE.
    public static func sendAll(_ fd: Int32, _ bytes: [UInt8], subject: String) throws(SystemError) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 {
                if swl_errno() == EINTR { continue }
                throw SystemError("send", subject)
            }
            offset += n
        }
    }
}

// listen(2) and connect(2), named apart from UnixSocket's own listen and connect.
@inline(__always) private func systemListen(_ fd: Int32, _ backlog: Int32) -> Int32 { listen(fd, backlog) }

@inline(__always) private func systemConnect(_ fd: Int32, _ address: UnsafePointer<sockaddr>, _ length: socklen_t) -> Int32 {
    connect(fd, address, length)
}
