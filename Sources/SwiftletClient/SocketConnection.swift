#if canImport(Glibc)
import Glibc
#endif

/// A connected `AF_UNIX` stream socket with a read buffer. Not shared between threads.
final class SocketConnection {
    private let fd: Int32
    private let path: String
    private var buffer: [UInt8] = []
    private var start = 0

    init(path: String) throws(ClientError) {
        self.path = path
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            throw .connect(path: path, errno: ENAMETOOLONG)
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .connect(path: path, errno: errno) }
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        if rc != 0 {
            let code = errno
            Glibc.close(fd)
            throw .connect(path: path, errno: code)
        }
        self.fd = fd
    }

    func close() { Glibc.close(fd) }

    func send(_ bytes: [UInt8]) throws(ClientError) {
        var offset = 0
        while offset < bytes.count {
            // MSG_NOSIGNAL: a daemon that went away is an error to report, not a SIGPIPE that kills the CLI.
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .io(path: path, stage: "send", errno: errno)
            }
            offset += n
        }
    }

    /// Next bytes from the socket, or nil at EOF.
    func readSome() throws(ClientError) -> [UInt8]? {
        if start < buffer.count {
            defer { buffer = []; start = 0 }
            return Array(buffer[start...])
        }
        guard try fill() else { return nil }
        defer { buffer = []; start = 0 }
        return buffer
    }

    /// A CRLF- (or LF-) terminated line without its terminator.
    func readLine() throws(ClientError) -> String {
        while true {
            if let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
                var end = newline
                if end > start, buffer[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                let line = String(decoding: buffer[start..<end], as: UTF8.self)
                start = newline + 1
                return line
            }
            guard buffer.count - start < 64 * 1024 else {
                throw .malformedResponse(path: path, reason: "header line longer than 64 KiB")
            }
            guard try fill() else { throw .malformedResponse(path: path, reason: "connection closed mid-response") }
        }
    }

    func read(exactly count: Int) throws(ClientError) -> [UInt8] {
        while buffer.count - start < count {
            guard try fill() else { throw .malformedResponse(path: path, reason: "connection closed mid-body") }
        }
        let out = Array(buffer[start..<(start + count)])
        start += count
        return out
    }

    /// Appends what the socket has; false at EOF.
    private func fill() throws(ClientError) -> Bool {
        if start > 0 {
            buffer.removeFirst(start)
            start = 0
        }
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .io(path: path, stage: "recv", errno: errno)
            }
            if n == 0 { return false }
            buffer.append(contentsOf: chunk[0..<n])
            return true
        }
    }
}
