#if canImport(Glibc)
import Glibc
#endif

public struct HTTPResponse: Sendable {
    public var status: Int
    /// Header names lower-cased.
    public var headers: [String: String]
    public var body: [UInt8]

    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}

/// A minimal blocking HTTP/1.1 client over a Unix socket (one connection per request,
/// `Connection: close`), enough for the CLI: Content-Length, chunked and read-to-EOF bodies.
public struct UnixHTTPClient: Sendable {
    public var socketPath: String

    public init(socketPath: String) { self.socketPath = socketPath }

    public func request(
        _ method: String, _ path: String, body: [UInt8]? = nil, contentType: String = "application/json"
    ) throws(ClientError) -> HTTPResponse {
        var collected: [UInt8] = []
        var response = try exchange(method, path, body: body, contentType: contentType) { chunk in
            collected.append(contentsOf: chunk)
            return true
        }
        response.body = collected
        return response
    }

    /// Sends a request and hands the body to `onData` as it arrives (watch, `logs -f`).
    /// `onData` returns false to stop reading. For a non-2xx status the body is collected
    /// into the returned response instead, so the caller can show the server's error.
    public func stream(
        _ method: String, _ path: String, onData: ([UInt8]) throws(ClientError) -> Bool
    ) throws(ClientError) -> HTTPResponse {
        var errorBody: [UInt8] = []
        var status = 0
        var response = try exchange(method, path, body: nil, contentType: "", onHead: { status = $0 }) { chunk throws(ClientError) in
            if (200..<300).contains(status) { return try onData(chunk) }
            errorBody.append(contentsOf: chunk)
            return true
        }
        response.body = errorBody
        return response
    }

    private func exchange(
        _ method: String, _ path: String, body: [UInt8]?, contentType: String, onHead: (Int) -> Void = { _ in },
        onData: ([UInt8]) throws(ClientError) -> Bool
    ) throws(ClientError) -> HTTPResponse {
        let connection = try SocketConnection(path: socketPath)
        defer { connection.close() }
        var head = "\(method) \(path) HTTP/1.1\r\nHost: localhost\r\nUser-Agent: swiftlet-cli\r\n"
        head += "Accept: application/json, */*\r\nConnection: close\r\n"
        if let body {
            head += "Content-Type: \(contentType)\r\nContent-Length: \(body.count)\r\n"
        }
        head += "\r\n"
        var sendError: ClientError?
        do {
            try connection.send(Array(head.utf8) + (body ?? []))
        } catch {
            // The server may answer early and close (413 for an oversized body): its answer beats our send error.
            guard case .io(_, _, let code) = error, code == EPIPE || code == ECONNRESET else { throw error }
            sendError = error
        }

        let statusLine: String
        do {
            statusLine = try connection.readLine()
        } catch {
            throw sendError ?? error
        }
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else {
            throw .malformedResponse(path: socketPath, reason: "bad status line \"\(statusLine)\"")
        }
        var headers: [String: String] = [:]
        while true {
            let line = try connection.readLine()
            if line.isEmpty { break }
            guard let colon = line.firstIndex(of: ":") else {
                throw .malformedResponse(path: socketPath, reason: "bad header line \"\(line)\"")
            }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingSpaces()
            headers[name] = value
        }
        onHead(status)
        let response = HTTPResponse(status: status, headers: headers, body: [])
        if method == "HEAD" || status == 204 || status == 304 { return response }

        if headers["transfer-encoding"]?.lowercased().contains("chunked") == true {
            while true {
                let sizeLine = try connection.readLine()
                let sizeText = sizeLine.split(separator: ";").first.map(String.init) ?? ""
                guard let size = Int(sizeText.trimmingSpaces(), radix: 16), size >= 0 else {
                    throw .malformedResponse(path: socketPath, reason: "bad chunk size \"\(sizeLine)\"")
                }
                if size == 0 {
                    // Trailers, then the blank line that ends the message.
                    while !(try connection.readLine()).isEmpty {}
                    break
                }
                let chunk = try connection.read(exactly: size)
                _ = try connection.readLine()
                guard try onData(chunk) else { break }
            }
        } else if let lengthText = headers["content-length"] {
            guard let length = Int(lengthText), length >= 0 else {
                throw .malformedResponse(path: socketPath, reason: "bad Content-Length \"\(lengthText)\"")
            }
            if length > 0 { _ = try onData(try connection.read(exactly: length)) }
        } else {
            while let chunk = try connection.readSome() {
                guard try onData(chunk) else { break }
            }
        }
        return response
    }
}

extension StringProtocol {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return String(s)
    }
}
