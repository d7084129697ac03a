import CSwiftletShim

/// One container output pipe copied into a CRI log file:
/// `<RFC3339Nano> <stdout|stderr> <F|P> <text>\n`, lines longer than 16 KiB split into
/// `P` (partial) chunks as containerd does. Both streams of a container share one writer.
struct LogStream {
    static let maxLine = 16 * 1024

    let fd: Int32
    let log: ContainerLogWriter
    let stream: String
    var container: String { log.container }
    private var partial: [UInt8] = []
    /// What was read since the pause last forwarded it to attached clients; nil while none is attached.
    var tee: [UInt8]?

    init(fd: Int32, log: ContainerLogWriter, stream: String) {
        self.fd = fd
        self.log = log
        self.stream = stream
    }

    /// Reads what is available. Returns false at end of file (the writer side is gone).
    mutating func pump(buffer: inout [UInt8]) -> Bool {
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n > 0 {
                append(buffer[0..<n])
                continue
            }
            if n == 0 { flush(); return false }
            let err = swl_errno_value()
            if err == EINTR { continue }
            if err == EAGAIN || err == EWOULDBLOCK { return true }
            flush()
            return false
        }
    }

    private mutating func append(_ chunk: ArraySlice<UInt8>) {
        tee?.append(contentsOf: chunk)
        var out: [UInt8] = []
        let stamp = Array(WallTime.now().rfc3339Nano.utf8)
        var start = chunk.startIndex
        for i in chunk.indices where chunk[i] == 10 {
            partial.append(contentsOf: chunk[start..<i])
            emit(&out, stamp, full: true)
            start = i + 1
        }
        partial.append(contentsOf: chunk[start...])
        while partial.count >= LogStream.maxLine {
            let rest = Array(partial[LogStream.maxLine...])
            partial.removeSubrange(LogStream.maxLine...)
            emit(&out, stamp, full: false)
            partial = rest
        }
        write(out)
    }

    /// A last line without newline is complete once the pipe closes.
    private mutating func flush() {
        guard !partial.isEmpty else { return }
        var out: [UInt8] = []
        emit(&out, Array(WallTime.now().rfc3339Nano.utf8), full: true)
        write(out)
    }

    private mutating func emit(_ out: inout [UInt8], _ stamp: [UInt8], full: Bool) {
        out.append(contentsOf: stamp)
        out.append(32)
        out.append(contentsOf: stream.utf8)
        out.append(32)
        out.append(full ? 70 : 80)
        out.append(32)
        out.append(contentsOf: partial)
        out.append(10)
        partial.removeAll(keepingCapacity: true)
    }

    private func write(_ bytes: [UInt8]) { log.write(bytes) }

    /// Closes the pipe; the log file closes with the last stream that holds its writer.
    func close() { CSwiftletShim.close(fd) }
}
