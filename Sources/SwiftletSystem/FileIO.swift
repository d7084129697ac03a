import CSwiftletShim
#if !hasFeature(Embedded)  // swiftlet-pause (Embedded Swift) gets libc from CSwiftletShim alone
import Glibc
#endif

/// Small, Foundation-free file helpers shared by the agent and the per-pod processes.
public enum FileIO {
    /// Reads a whole file. Returns nil when it does not exist.
    public static func read(_ path: String, limit: Int = 16 << 20) throws(SystemError) -> [UInt8]? {
        let fd = swl_open(path, O_RDONLY | O_CLOEXEC, 0)
        if fd < 0 {
            let err = swl_errno()
            if err == ENOENT || err == ENOTDIR { return nil }
            throw SystemError("open", path, errno: err)
        }
        defer { close(fd) }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while out.count < limit {
            let n = try syscallRetrying("read", path) {
                buffer.withUnsafeMutableBytes { systemRead(fd, $0.baseAddress, $0.count) }
            }
            if n == 0 { break }
            out.append(contentsOf: buffer[0..<n])
        }
        return out
    }

    public static func readString(_ path: String) throws(SystemError) -> String? {
        guard let bytes = try read(path) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Writes all bytes to an fd.
    public static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, subject: String) throws(SystemError) {
        guard let base = bytes.baseAddress else { return }  // nothing to write
        var offset = 0
        while offset < bytes.count {
            let n = try syscallRetrying("write", subject) {
                systemWrite(fd, base + offset, bytes.count - offset)
            }
            offset += n
        }
    }

    public static func writeAll(_ fd: Int32, _ bytes: [UInt8], subject: String) throws(SystemError) {
        // (withUnsafeBytes rethrows untyped errors: the typed one is carried out by hand.)
        var failure: SystemError?
        bytes.withUnsafeBytes { raw in
            do throws(SystemError) { try writeAll(fd, raw, subject: subject) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    public static func writeAll(_ fd: Int32, _ text: String, subject: String) throws(SystemError) {
        var copy = text
        var failure: SystemError?
        copy.withUTF8 { buf in
            do throws(SystemError) { try writeAll(fd, UnsafeRawBufferPointer(buf), subject: subject) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// Writes a file (truncating). For files others only read when complete, use `writeAtomically`.
    public static func write(_ path: String, _ text: String, mode: mode_t = 0o644) throws(SystemError) {
        let fd = try syscallRetrying("open", path) { swl_open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode) }
        defer { close(fd) }
        try writeAll(fd, text, subject: path)
    }

    /// Writes to `<path>.tmp` and renames it over `path`, so a reader sees the old or the new
    /// content, never a partial one — also across a crash of the writer.
    public static func writeAtomically(_ path: String, _ text: String, mode: mode_t = 0o644) throws(SystemError) {
        let tmp = path + ".tmp"
        let fd = try syscallRetrying("open", tmp) { swl_open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode) }
        do {
            try writeAll(fd, text, subject: tmp)
        } catch {
            close(fd)
            unlink(tmp)
            throw error
        }
        close(fd)
        try syscallRetrying("rename", tmp) { rename(tmp, path) }
    }

    public static func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    public static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & mode_t(S_IFMT)) == mode_t(S_IFDIR)
    }

    /// `mkdir -p`.
    public static func makeDirectories(_ path: String, mode: mode_t = 0o755) throws(SystemError) {
        if isDirectory(path) { return }
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            prefix += "/" + component
            if mkdir(prefix, mode) != 0 {
                let err = swl_errno()
                if err != EEXIST { throw SystemError("mkdir", prefix, errno: err) }
            }
        }
    }

    /// Names in a directory, without `.` and `..`. Returns [] when it does not exist.
    public static func list(_ path: String) -> [String] {
        guard let dir = opendir(path) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) { ptr in
                ptr.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// `rm -rf` that does not cross into mounts: it refuses to descend into a directory on another device,
    /// so a forgotten bind or overlay mount is reported instead of emptied.
    public static func removeTree(_ path: String) throws(SystemError) {
        var st = stat()
        if lstat(path, &st) != 0 {
            if swl_errno() == ENOENT { return }
            throw SystemError("lstat", path)
        }
        try removeTree(path, device: st.st_dev, st: st)
    }

    private static func removeTree(_ path: String, device: UInt, st: stat) throws(SystemError) {
        if (st.st_mode & mode_t(S_IFMT)) == mode_t(S_IFDIR) {
            if st.st_dev != device { throw SystemError("rmdir", path + " (a mount is still present)", errno: EBUSY) }
            for name in list(path) {
                let child = path + "/" + name
                var cst = stat()
                if lstat(child, &cst) != 0 { continue }
                try removeTree(child, device: device, st: cst)
            }
            if rmdir(path) != 0 && swl_errno() != ENOENT { throw SystemError("rmdir", path) }
        } else if unlink(path) != 0 && swl_errno() != ENOENT {
            throw SystemError("unlink", path)
        }
    }

    /// Waits until `fd` is readable (or closed); false on timeout.
    public static func waitReadable(_ fd: Int32, timeoutMilliseconds: Int32) -> Bool {
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        while true {
            let n = poll(&pfd, 1, timeoutMilliseconds)
            if n < 0 && swl_errno() == EINTR { continue }
            return n > 0
        }
    }

    /// Reads `fd` until end of file or an error (EINTR is retried), handing each chunk to `body`;
    /// stops early when `body` returns false. Blocks: call it on a thread of its own.
    public static func readUntilEnd(_ fd: Int32, bufferSize: Int = 32 * 1024, _ body: (ArraySlice<UInt8>) -> Bool) {
        var buffer = [UInt8](repeating: 0, count: bufferSize)
        while true {
            let n = buffer.withUnsafeMutableBytes { systemRead(fd, $0.baseAddress, $0.count) }
            if n > 0 {
                guard body(buffer[0..<n]) else { return }
            } else if n < 0 && swl_errno() == EINTR {
                continue
            } else {
                return
            }
        }
    }

    /// `writeAtomically` relative to a directory descriptor: usable after the process changed its
    /// root (swiftlet-init reports exec failures into a directory it can no longer name).
    public static func writeAtomically(directory: Int32, name: String, _ text: String, mode: mode_t = 0o644) throws(SystemError) {
        let tmp = name + ".tmp"
        let fd = try syscallRetrying("openat", tmp) { swl_openat(directory, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode) }
        defer { close(fd) }
        try writeAll(fd, text, subject: tmp)
        try syscallRetrying("renameat", tmp) { renameat(directory, tmp, directory, name) }
    }
}

// read(2) and write(2), named apart from FileIO's own read and write.
@inline(__always) private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(fd, buffer, count)
}

@inline(__always) private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
    write(fd, buffer, count)
}
