import CSwiftletShim

/// `attach`: a control connection turned into a stream of the container's output (copied from
/// the pipes as they are logged) and, for `stdin: true` containers, input for the stdin pipe this
/// process keeps. Nothing here may block the pod's loop: input waits in a buffer until the pipe
/// takes it, and a client that does not read its output fast enough is disconnected.
struct Attachment {
    var fd: Int32
    var container: String
    var stdin: Bool
    var decoder = AttachFrame.Decoder()
}

/// The write end of a container's stdin, owned by the pause while the container runs.
struct ContainerStdin {
    var fd: Int32
    var once: Bool
    var pending: [UInt8] = []
    /// `stdinOnce` and the first session that used stdin is over: close once `pending` is written.
    var closing = false
    /// A terminal's master (a duplicate): closing it hangs nothing up, so end of input is ^D.
    var terminal = false
}

extension PauseProcess {
    /// Answers `attach` and keeps the connection; returns false when the connection was refused (and closed).
    mutating func attach(_ fd: Int32, container: String, stdin: Bool) {
        guard children.values.contains(where: { $0.name == container }) else {
            try? FileIO.writeAll(fd, "error \(container) is not running\n", subject: "attach")
            close(fd)
            return
        }
        if stdin && stdins[container] == nil {
            try? FileIO.writeAll(fd, "error stdin is not enabled for container \(container)\n", subject: "attach")
            close(fd)
            return
        }
        guard (try? FileIO.writeAll(fd, "ok\n", subject: "attach")) != nil else {
            close(fd)
            return
        }
        _ = swl_fcntl(fd, F_SETFL, swl_fcntl(fd, F_GETFL, 0) | O_NONBLOCK)
        attachments.append(Attachment(fd: fd, container: container, stdin: stdin))
        for i in streams.indices where streams[i].container == container && streams[i].tee == nil { streams[i].tee = [] }
    }

    /// Sends what the streams of `container` read since the last call to its attached clients.
    mutating func forwardOutput(of container: String) {
        for i in streams.indices where streams[i].container == container {
            guard let bytes = streams[i].tee, !bytes.isEmpty else { continue }
            streams[i].tee = []
            var offset = 0
            while offset < bytes.count {
                let end = min(offset + AttachFrame.maxPayload, bytes.count)
                let frame = AttachFrame(streams[i].stream == "stderr" ? .stderr : .stdout, Array(bytes[offset..<end]))
                broadcast(frame, to: container)
                offset = end
            }
        }
    }

    private mutating func broadcast(_ frame: AttachFrame, to container: String) {
        let encoded = frame.encoded
        var dropped: [Int32] = []
        for a in attachments where a.container == container {
            let sent = encoded.withUnsafeBytes { send(a.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
            // A partial frame cannot be finished later without blocking: the client is too slow, let it go.
            if sent != encoded.count { dropped.append(a.fd) }
        }
        for fd in dropped { detach(fd) }
    }

    /// Input from an attached client. False: the client is gone.
    mutating func readAttachment(_ fd: Int32) {
        guard let i = attachments.firstIndex(where: { $0.fd == fd }) else { return }
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n < 0 && (swl_errno() == EINTR || swl_errno() == EAGAIN) { return }
        guard n > 0, let frames = attachments[i].decoder.feed(chunk[0..<n]) else {
            detach(fd)
            return
        }
        let container = attachments[i].container
        let withStdin = attachments[i].stdin
        for frame in frames {
            switch frame.kind {
            case .stdin where withStdin: stdins[container]?.pending.append(contentsOf: frame.payload)
            case .stdinEnd where withStdin: endStdinSession(container)
            case .resize: resizeTerminal(of: container, String(decoding: frame.payload, as: UTF8.self))
            default: continue
            }
        }
        flushStdin(container)
    }

    /// The kubelet's `stdinOnce`: stdin closes when the first session that used it ends.
    mutating func endStdinSession(_ container: String) {
        guard stdins[container]?.once == true else { return }
        stdins[container]?.closing = true
        flushStdin(container)
    }

    /// Writes pending input without blocking; closes the pipe when a `stdinOnce` session ended.
    mutating func flushStdin(_ container: String) {
        guard var s = stdins[container] else { return }
        while !s.pending.isEmpty {
            let n = s.pending.withUnsafeBytes { write(s.fd, $0.baseAddress, $0.count) }
            if n > 0 {
                s.pending.removeFirst(n)
                continue
            }
            if n < 0 && swl_errno() == EINTR { continue }
            if n < 0 && swl_errno() == EAGAIN { break }
            // The container closed its stdin: what is left cannot be delivered.
            s.pending = []
            s.closing = true
        }
        if s.closing && s.pending.isEmpty {
            // The line discipline turns ^D at the start of a line into the reader's end of file.
            if s.terminal { _ = write(s.fd, [4], 1) }
            close(s.fd)
            stdins[container] = nil
        } else {
            stdins[container] = s
        }
    }

    mutating func detach(_ fd: Int32) {
        guard let i = attachments.firstIndex(where: { $0.fd == fd }) else { return }
        let a = attachments.remove(at: i)
        close(fd)
        if a.stdin { endStdinSession(a.container) }
        if !attachments.contains(where: { $0.container == a.container }) {
            for j in streams.indices where streams[j].container == a.container { streams[j].tee = nil }
        }
    }

    /// The container exited: its clients get the exit code and are let go; its stdin closes.
    mutating func endAttachments(of container: String, exitCode: Int32) {
        forwardOutput(of: container)
        broadcast(AttachFrame(.exit, Array(String(exitCode).utf8)), to: container)
        for a in attachments where a.container == container { close(a.fd) }
        attachments.removeAll { $0.container == container }
        if let s = stdins.removeValue(forKey: container) { close(s.fd) }
        terminals[container] = nil
    }

    /// Waits (briefly: swiftlet-init sends it right after pivot_root) for the terminal's master and
    /// reads the container's output from it from then on. Without it the container has no terminal:
    /// swiftlet-init failed, and said why on the output pipes.
    mutating func receiveTerminal(_ console: (Int32, Int32), container: String, spec: LaunchSpec, log: ContainerLogWriter) {
        close(console.1)
        UnixSocket.setTimeout(console.0, milliseconds: 10_000)
        let master = swl_recv_fd(console.0)
        close(console.0)
        guard master >= 0 else { return }
        _ = swl_fcntl(master, F_SETFL, swl_fcntl(master, F_GETFL, 0) | O_NONBLOCK)
        // What a terminal shows is the container's stdout, as CRI runtimes log it.
        streams.append(LogStream(fd: master, log: log, stream: "stdout"))
        terminals[container] = master
        if spec.openStdin {
            let input = dup(master)
            if input >= 0 {
                _ = swl_fcntl(input, F_SETFD, FD_CLOEXEC)
                if let old = stdins.removeValue(forKey: container) { close(old.fd) }
                stdins[container] = ContainerStdin(fd: input, once: spec.stdinOnce, terminal: true)
            }
        }
    }

    /// `COLUMNS ROWS` from an attached client.
    func resizeTerminal(of container: String, _ size: String) {
        guard let master = terminals[container] else { return }
        let parts = size.split(separator: " ").compactMap { UInt16($0) }
        if parts.count == 2 { _ = swl_set_winsize(master, parts[1], parts[0]) }
    }
}
