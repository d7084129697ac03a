import CSwiftletShim
import Foundation
import SwiftletSystem
import Synchronization

/// What one probe attempt found.
public enum ProbeOutcome: Sendable, Hashable {
    case success
    case failure(String)
    /// Passes, with the kubelet's `ProbeWarning` event (an HTTP redirect it did not follow).
    case warning(String)
}

/// The kubelet's probe handlers (exec, TCP, HTTP GET), run from inside the pod: commands through
/// `swiftlet-init exec`, connections from a socket created in the pod's network namespace, so a
/// pod reachable only on its loopback is probed like any other. Blocking: call them off the actors.
extension PodRuntime {
    /// Runs the command in the container; exit code 0 passes. Output is the failure's message.
    public func execProbe(uid: String, container: String, pid: Int32, command: [String], timeout: TimeInterval) -> ProbeOutcome {
        let process: ExecProcess
        do {
            process = try startExec(uid: uid, container: container, pid: pid, command: command, stdin: false, tty: false)
        } catch {
            return .failure("\(error)")
        }
        let deadline = Date().addingTimeInterval(timeout)
        var output: [UInt8] = []
        var open = [process.stdout] + (process.stderr.map { [$0] } ?? [])
        var timedOut = false
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !open.isEmpty {
            let remaining = Int32(max(0, deadline.timeIntervalSinceNow) * 1000)
            if remaining == 0 { timedOut = true; break }
            var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            if poll(&fds, nfds_t(fds.count), remaining) < 0 && errno != EINTR { break }
            for pfd in fds where pfd.revents != 0 {
                let n = buffer.withUnsafeMutableBytes { read(pfd.fd, $0.baseAddress, $0.count) }
                if n > 0 {
                    if output.count < 10 * 1024 { output.append(contentsOf: buffer[0..<n]) }
                } else if n == 0 || errno != EINTR {
                    open.removeAll { $0 == pfd.fd }
                }
            }
        }
        if timedOut { kill(process.pid, SIGKILL) }
        let status = (try? Spawn.wait(process.pid)).map { ExitStatus(waitStatus: $0).exitCode } ?? 126
        close(process.stdout)
        process.stderr.map { _ = close($0) }
        if timedOut {
            return .failure("command \"\(command.joined(separator: " "))\" timed out")
        }
        if status == 0 { return .success }
        let text = String(decoding: output, as: UTF8.self)
        return .failure(text.isEmpty ? "command \"\(command.joined(separator: " "))\" exited with \(status)" : text)
    }

    /// A TCP connection that opens within the timeout passes (`tcp.DoTCPProbe`).
    public static func tcpProbe(netnsOf pid: Int32, host: String, port: Int32, timeout: TimeInterval) -> ProbeOutcome {
        switch PodConnection.open(netnsOf: pid, host: host, port: port, timeout: timeout) {
        case .success(let fd):
            close(fd)
            return .success
        case .failure(let error):
            return .failure(error.description)
        }
    }

    /// GET with the kubelet's rules: 200–399 passes, redirects are followed on the same host (up
    /// to 10), a redirect to another host passes (the kubelet's "Probe terminated redirects").
    public static func httpProbe(
        netnsOf pid: Int32, host: String, port: Int32, path: String, headers: [(String, String)], timeout: TimeInterval
    ) -> ProbeOutcome {
        let deadline = Date().addingTimeInterval(timeout)
        var path = path.hasPrefix("/") ? path : "/" + path
        for _ in 0...10 {
            let response: HTTPProbeResponse
            switch HTTPProbeResponse.get(netnsOf: pid, host: host, port: port, path: path, headers: headers, deadline: deadline) {
            case .success(let r): response = r
            case .failure(let error): return .failure(error.description)
            }
            // A redirect not followed (no Location, or another host) passes with a warning, as
            // the kubelet's DoHTTPProbe reports the 3xx it stopped at.
            let terminated = ProbeOutcome.warning("Probe terminated redirects, Response body: \(response.body)")
            guard (300..<400).contains(response.status), let location = response.location else {
                if (300..<400).contains(response.status) { return terminated }
                return (200..<400).contains(response.status)
                    ? .success : .failure("HTTP probe failed with statuscode: \(response.status)")
            }
            guard let next = HTTPProbeResponse.sameHostPath(location, host: host, port: port) else {
                return terminated
            }
            path = next
        }
        return .failure("Get \"http://\(host):\(port)\(path)\": stopped after 10 redirects")
    }
}

public struct ProbeConnectionError: Error, CustomStringConvertible, Sendable {
    public var description: String
}

/// A TCP connection made from inside a pod's network namespace. The socket is created on a
/// short-lived thread that joins the namespace with setns(2) (network namespaces are per thread),
/// so no thread of the agent's pools ever changes namespace; the socket keeps the namespace.
enum PodConnection {
    static func open(netnsOf pid: Int32, host: String, port: Int32, timeout: TimeInterval) -> Result<Int32, ProbeConnectionError> {
        let deadline = Date().addingTimeInterval(timeout)
        let display = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        var v4 = sockaddr_in()
        var v6 = sockaddr_in6()
        let family: Int32
        if inet_pton(AF_INET, host, &v4.sin_addr) == 1 {
            family = AF_INET
            v4.sin_family = sa_family_t(AF_INET)
            v4.sin_port = in_port_t(UInt16(truncatingIfNeeded: port)).bigEndian
        } else if inet_pton(AF_INET6, host, &v6.sin6_addr) == 1 {
            family = AF_INET6
            v6.sin6_family = sa_family_t(AF_INET6)
            v6.sin6_port = in_port_t(UInt16(truncatingIfNeeded: port)).bigEndian
        } else {
            return .failure(ProbeConnectionError(description: "dial tcp \(display): host must be an IP address"))
        }
        let fd: Int32
        switch socketInNamespace(of: pid, family: family) {
        case .success(let s): fd = s
        case .failure(let e): return .failure(e)
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        let rc: Int32 = family == AF_INET
            ? withUnsafePointer(to: &v4) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            : withUnsafePointer(to: &v6) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) } }
        if rc != 0 && errno != EINPROGRESS {
            let e = errno
            close(fd)
            return .failure(ProbeConnectionError(description: "dial tcp \(display): connect: \(String(cString: strerror(e)))"))
        }
        if rc != 0 {
            var pfd = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            let ms = Int32(max(0, deadline.timeIntervalSinceNow) * 1000)
            if poll(&pfd, 1, ms) <= 0 {
                close(fd)
                return .failure(ProbeConnectionError(description: "dial tcp \(display): i/o timeout"))
            }
            var soError: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &soError, &length)
            if soError != 0 {
                close(fd)
                return .failure(ProbeConnectionError(description: "dial tcp \(display): connect: \(String(cString: strerror(soError)))"))
            }
        }
        return .success(fd)
    }

    private static func socketInNamespace(of pid: Int32, family: Int32) -> Result<Int32, ProbeConnectionError> {
        let result = Mutex<Result<Int32, ProbeConnectionError>?>(nil)
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            defer { done.signal() }
            let path = "/proc/\(pid)/ns/net"
            let ns = Glibc.open(path, O_RDONLY | O_CLOEXEC)
            guard ns >= 0 else {
                result.withLock { $0 = .failure(ProbeConnectionError(description: "\(SystemError("open", path))")) }
                return
            }
            defer { close(ns) }
            guard swl_setns(ns, Int32(SWL_CLONE_NEWNET)) == 0 else {
                result.withLock { $0 = .failure(ProbeConnectionError(description: "\(SystemError("setns", path))")) }
                return
            }
            let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            result.withLock {
                $0 = fd >= 0 ? .success(fd) : .failure(ProbeConnectionError(description: "\(SystemError("socket", path))"))
            }
            // The thread ends here, and with it its membership of the pod's namespace.
        }
        thread.start()
        done.wait()
        return result.withLock { $0 } ?? .failure(ProbeConnectionError(description: "socket thread failed"))
    }
}

/// The status line and Location of an HTTP/1.1 response (the body is not needed).
struct HTTPProbeResponse {
    var status: Int
    var location: String?
    /// Read only for a redirect (for the warning's text), at most the kubelet's 10 KiB.
    var body = ""

    static func get(
        netnsOf pid: Int32, host: String, port: Int32, path: String, headers: [(String, String)], deadline: Date
    ) -> Result<HTTPProbeResponse, ProbeConnectionError> {
        let display = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        let url = "http://\(display)\(path)"
        let fd: Int32
        switch PodConnection.open(netnsOf: pid, host: host, port: port, timeout: max(0, deadline.timeIntervalSinceNow)) {
        case .success(let s): fd = s
        case .failure(let e): return .failure(ProbeConnectionError(description: "Get \"\(url)\": \(e.description)"))
        }
        defer { close(fd) }
        // The kubelet's headers, then the probe's own (which may replace Host, User-Agent or Accept).
        var fields: [(String, String)] = [("Host", display), ("User-Agent", "kube-probe/1.33"), ("Accept", "*/*")]
        for (name, value) in headers {
            fields.removeAll { $0.0.lowercased() == name.lowercased() }
            fields.append((name, value))
        }
        var request = "GET \(path) HTTP/1.1\r\n"
        for (name, value) in fields { request += "\(name): \(value)\r\n" }
        request += "Connection: close\r\n\r\n"
        var bytes = Array(request.utf8)
        while !bytes.isEmpty {
            var pfd = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            if poll(&pfd, 1, Int32(max(0, deadline.timeIntervalSinceNow) * 1000)) <= 0 {
                return .failure(ProbeConnectionError(description: "Get \"\(url)\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)"))
            }
            let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 {
                if errno == EAGAIN || errno == EINTR { continue }
                return .failure(ProbeConnectionError(description: "Get \"\(url)\": \(String(cString: strerror(errno)))"))
            }
            bytes.removeFirst(n)
        }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while received.count < 16 * 1024 {
            if let end = headerEnd(received) {
                return parse(Array(received[..<end]), url: url).map { head in
                    var response = head
                    if (300..<400).contains(head.status) {
                        response.body = readBody(fd, start: Array(received[(end + 4)...]), deadline: deadline)
                    }
                    return response
                }
            }
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            if poll(&pfd, 1, Int32(max(0, deadline.timeIntervalSinceNow) * 1000)) <= 0 {
                return .failure(ProbeConnectionError(description: "Get \"\(url)\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)"))
            }
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && (errno == EAGAIN || errno == EINTR) { continue }
            if n <= 0 { break }
            received.append(contentsOf: buffer[0..<n])
        }
        if let end = headerEnd(received) { return parse(Array(received[..<end]), url: url) }
        return .failure(ProbeConnectionError(description: "Get \"\(url)\": malformed HTTP response"))
    }

    /// The rest of the response up to end of stream, 10 KiB (the kubelet's `maxRespBodyLength`)
    /// or the deadline, whichever comes first (the request asked the server to close).
    static func readBody(_ fd: Int32, start: [UInt8], deadline: Date) -> String {
        var body = start
        var buffer = [UInt8](repeating: 0, count: 4096)
        while body.count < 10 * 1024 {
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            if poll(&pfd, 1, Int32(max(0, deadline.timeIntervalSinceNow) * 1000)) <= 0 { break }
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && (errno == EAGAIN || errno == EINTR) { continue }
            if n <= 0 { break }
            body.append(contentsOf: buffer[0..<n])
        }
        return String(decoding: body.prefix(10 * 1024), as: UTF8.self)
    }

    static func headerEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for i in 0...(bytes.count - 4) where bytes[i] == 13 && bytes[i + 1] == 10 && bytes[i + 2] == 13 && bytes[i + 3] == 10 {
            return i
        }
        return nil
    }

    static func parse(_ head: [UInt8], url: String) -> Result<HTTPProbeResponse, ProbeConnectionError> {
        let lines = String(decoding: head, as: UTF8.self).components(separatedBy: "\r\n")
        let parts = lines.first?.split(separator: " ") ?? []
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/"), let status = Int(parts[1]) else {
            return .failure(ProbeConnectionError(description: "Get \"\(url)\": malformed HTTP response \"\(lines.first ?? "")\""))
        }
        var location: String?
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            if line[..<colon].lowercased() == "location" {
                location = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        return .success(HTTPProbeResponse(status: status, location: location))
    }

    /// The path to follow when `location` stays on the probed host and port; nil for another host.
    static func sameHostPath(_ location: String, host: String, port: Int32) -> String? {
        if location.hasPrefix("/") { return location }
        guard let url = URL(string: location), let scheme = url.scheme?.lowercased() else { return "/" + location }
        guard scheme == "http", let target = url.host else { return nil }
        let targetPort = url.port.map(Int32.init) ?? 80
        let sameHost = target == host || (["localhost", "127.0.0.1"].contains(target) && ["localhost", "127.0.0.1"].contains(host))
        guard sameHost, targetPort == port else { return nil }
        let path = url.path.isEmpty ? "/" : url.path
        return url.query.map { path + "?" + $0 } ?? path
    }
}
