import CSwiftletShim

/// The CRI log file of one container attempt, shared by its stdout and stderr streams, rotated here
/// by size: swiftlet-pause holds the only write descriptor, so renaming the file and reopening it
/// between two writes loses and duplicates nothing (the kubelet instead asks the runtime to reopen
/// after its own rename, every 10 s, so its files overshoot the limit between checks).
///
/// Rotated files stay uncompressed: compressing needs zlib in this static, dependency-free process
/// (or a second writer racing the readers); the disk bound is `maxSize × maxFiles` either way.
final class ContainerLogWriter {
    let path: String
    let container: String
    let rotation: ContainerLogFiles.Rotation?
    private var fd: Int32
    private var size: Int64

    init(path: String, container: String, rotation: ContainerLogFiles.Rotation?) throws(SystemError) {
        self.path = path
        self.container = container
        self.rotation = rotation
        fd = try ContainerLogWriter.open(path)
        var st = stat()
        size = fstat(fd, &st) == 0 ? Int64(st.st_size) : 0
    }

    deinit { close(fd) }

    private static func open(_ path: String) throws(SystemError) -> Int32 {
        try syscallRetrying("open", path) { swl_open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640) }
    }

    /// Appends whole CRI lines (a rotation never splits one).
    func write(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        // A full disk must not stop the pod: the bytes are dropped, the container keeps running.
        do {
            try FileIO.writeAll(fd, bytes, subject: "log of \(container)")
            size += Int64(bytes.count)
        } catch {
            return
        }
        if let rotation, rotation.maxSize > 0, size >= rotation.maxSize { rotate(rotation) }
    }

    /// The kubelet's `rotateLatestLog` after `removeExcessLogs`: make room, rename, reopen; when the
    /// reopen fails, rename back and keep writing to the old file.
    private func rotate(_ rotation: ContainerLogFiles.Rotation) {
        let dir = String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)])
        let base = String(path[(path.lastIndex(of: "/").map { path.index(after: $0) } ?? path.startIndex)...])
        var names = FileIO.list(dir)
        for old in ContainerLogFiles.excess(names, base: base, maxFiles: rotation.maxFiles) {
            unlink(dir + "/" + old)
            names.removeAll { $0 == old }
        }
        let now = WallTime.now().seconds
        let rotated =
            dir + "/"
            + ContainerLogFiles.rotatedName(base: base, seconds: now, utcOffset: LocalTime.utcOffset(atSeconds: now), existing: names)
        guard rename(path, rotated) == 0 else { return }
        guard let newFD = try? ContainerLogWriter.open(path) else {
            _ = rename(rotated, path)
            return
        }
        close(fd)
        fd = newFD
        size = 0
    }
}
