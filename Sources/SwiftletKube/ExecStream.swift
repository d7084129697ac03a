/// The framing of an exec session on the API socket (`POST .../pods/{name}/exec`): both request
/// and response bodies are chunked HTTP/1.1 carrying frames of `channel (1 byte) + length
/// (4 bytes, big-endian) + payload`. The channels are Kubernetes' remotecommand ones.
public enum ExecChannel: UInt8, Sendable, Hashable {
    /// Client → server: bytes for the command's stdin; an empty payload closes it.
    case stdin = 0
    /// Server → client: the command's stdout (with a tty: everything the terminal shows).
    case stdout = 1
    /// Server → client: the command's stderr (unused with a tty).
    case stderr = 2
    /// Server → client, last frame: the outcome as a Kubernetes `Status` object (JSON).
    case status = 3
    /// Client → server: the terminal's size as `{"Width":cols,"Height":rows}`.
    case resize = 4
}

public struct ExecFrame: Sendable, Hashable {
    public var channel: ExecChannel
    public var payload: [UInt8]

    public init(_ channel: ExecChannel, _ payload: [UInt8]) {
        self.channel = channel
        self.payload = payload
    }

    /// Frames larger than this are refused (the sender's chunks are far smaller).
    public static let maxPayload = 1 << 20

    public var encoded: [UInt8] {
        let n = UInt32(payload.count)
        return [channel.rawValue, UInt8(n >> 24), UInt8((n >> 16) & 0xFF), UInt8((n >> 8) & 0xFF), UInt8(n & 0xFF)] + payload
    }
}

public enum ExecFrameError: Error, Sendable, Hashable, CustomStringConvertible {
    case unknownChannel(UInt8)
    case tooLarge(Int)

    public var description: String {
        switch self {
        case .unknownChannel(let c): return "exec stream: unknown channel \(c)"
        case .tooLarge(let n): return "exec stream: frame of \(n) bytes exceeds \(ExecFrame.maxPayload)"
        }
    }
}

/// Reassembles frames from a byte stream cut anywhere (HTTP chunks do not follow frame boundaries).
public struct ExecFrameDecoder: Sendable {
    private var buffer: [UInt8] = []

    public init() {}

    public mutating func feed(_ bytes: some Sequence<UInt8>) throws(ExecFrameError) -> [ExecFrame] {
        buffer.append(contentsOf: bytes)
        var frames: [ExecFrame] = []
        var offset = 0
        while buffer.count - offset >= 5 {
            guard let channel = ExecChannel(rawValue: buffer[offset]) else { throw .unknownChannel(buffer[offset]) }
            let length = buffer[(offset + 1)..<(offset + 5)].reduce(0) { $0 << 8 | Int($1) }
            guard length <= ExecFrame.maxPayload else { throw .tooLarge(length) }
            guard buffer.count - offset - 5 >= length else { break }
            frames.append(ExecFrame(channel, Array(buffer[(offset + 5)..<(offset + 5 + length)])))
            offset += 5 + length
        }
        buffer.removeFirst(offset)
        return frames
    }
}

/// A terminal size as remotecommand sends it (`{"Width":80,"Height":24}`).
public struct TerminalSize: Codable, Sendable, Hashable {
    public var width: UInt16
    public var height: UInt16

    public init(width: UInt16, height: UInt16) {
        self.width = width
        self.height = height
    }

    enum CodingKeys: String, CodingKey {
        case width = "Width"
        case height = "Height"
    }
}

/// The outcome of an exec, the last frame of the stream (channel 3).
public struct ExecResult: Codable, Sendable, Hashable {
    /// `Success` or `Failure`, as in a Kubernetes `Status`.
    public var status: String
    public var exitCode: Int32
    public var message: String?

    public init(exitCode: Int32, message: String? = nil) {
        self.status = exitCode == 0 ? "Success" : "Failure"
        self.exitCode = exitCode
        self.message = message ?? (exitCode == 0 ? nil : "command terminated with non-zero exit code: \(exitCode)")
    }
}
