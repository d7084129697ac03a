/// The stream between the agent and swiftlet-pause for `attach`, after the `attach NAME stdin|nostdin`
/// request line on the control socket was answered `ok`: frames of one type byte, a 4-byte
/// big-endian length and the payload, in both directions.
public struct AttachFrame: Equatable, Sendable {
    public enum Kind: UInt8, Sendable {
        /// Agent → pause: bytes for the container's stdin.
        case stdin = 0
        /// Pause → agent: the container's output.
        case stdout = 1
        case stderr = 2
        /// Agent → pause: the client's stdin ended (closes the container's stdin under `stdinOnce`).
        case stdinEnd = 3
        /// Pause → agent: the container exited; the payload is its exit code in decimal. Last frame.
        case exit = 4
        /// Agent → pause: the client's window, `COLUMNS ROWS` in decimal (`tty: true` containers).
        case resize = 5
    }

    public var kind: Kind
    public var payload: [UInt8]

    public init(_ kind: Kind, _ payload: [UInt8] = []) {
        self.kind = kind
        self.payload = payload
    }

    /// At most this much payload per frame: larger output is sent as several.
    public static let maxPayload = 1 << 20

    public var encoded: [UInt8] {
        let n = UInt32(payload.count)
        return [kind.rawValue, UInt8(n >> 24), UInt8((n >> 16) & 0xff), UInt8((n >> 8) & 0xff), UInt8(n & 0xff)] + payload
    }

    /// Splits a byte stream into frames; the stream is broken (nil) on an unknown type or an oversized frame.
    public struct Decoder: Sendable {
        private var buffer: [UInt8] = []
        public init() {}

        public mutating func feed(_ bytes: some Collection<UInt8>) -> [AttachFrame]? {
            buffer.append(contentsOf: bytes)
            var frames: [AttachFrame] = []
            var start = 0
            while buffer.count - start >= 5 {
                guard let kind = Kind(rawValue: buffer[start]) else { return nil }
                let n = buffer[(start + 1)...(start + 4)].reduce(0) { $0 << 8 | Int($1) }
                guard n <= AttachFrame.maxPayload else { return nil }
                guard buffer.count - start - 5 >= n else { break }
                frames.append(AttachFrame(kind, Array(buffer[(start + 5)..<(start + 5 + n)])))
                start += 5 + n
            }
            buffer.removeFirst(start)
            return frames
        }
    }
}

extension LaunchSpec {
    func encodeStdin(into file: inout KeyValueFile) {
        if tty { file.append("tty", "true") }
        guard openStdin else { return }
        file.append("stdin", stdinOnce ? "once" : "open")
    }

    mutating func decodeStdin(_ file: KeyValueFile) throws(DecodeError) {
        tty = file.first("tty") == "true"
        switch file.first("stdin") {
        case nil: break
        case "open": openStdin = true
        case "once": openStdin = true; stdinOnce = true
        case let other?: throw DecodeError.invalid("stdin", other)
        }
    }
}
