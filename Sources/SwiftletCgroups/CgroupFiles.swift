#if canImport(Glibc)
import Glibc
#endif

/// Raw cgroupfs file operations shared by both drivers.
///
/// cgroupfs files are not ordinary files: each value must reach the kernel in one `write(2)`, and
/// their reported size is meaningless, so these helpers use the system calls directly instead of
/// Foundation's file APIs (which may write through a temporary file or trust `st_size`).
enum CgroupFiles {
    /// Joins the components of a relative cgroup path, or nil when the path is empty or escapes its root.
    static func normalize(_ path: String) -> String? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        guard !parts.isEmpty, !parts.contains(where: { $0 == "." || $0 == ".." }) else { return nil }
        return parts.joined(separator: "/")
    }

    /// The relative paths of `path` and each of its ancestors, outermost first: "a/b/c" → ["a", "a/b", "a/b/c"].
    static func prefixes(_ normalized: String) -> [String] {
        var result: [String] = []
        var current = ""
        for part in normalized.split(separator: "/") {
            current = current.isEmpty ? String(part) : current + "/" + part
            result.append(current)
        }
        return result
    }

    /// Contents of a file, or nil when it does not exist.
    static func readIfPresent(_ path: String) throws -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            let code = errno
            if code == ENOENT { return nil }
            throw CgroupError.readFailed(path: path, errno: code)
        }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw CgroupError.readFailed(path: path, errno: errno)
            }
            if count == 0 { break }
            bytes.append(contentsOf: buffer[0..<count])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Writes `value` in a single write(2). O_CREAT is harmless on cgroupfs (control files already exist)
    /// and lets the drivers run unchanged against a fake tree in a temporary directory.
    static func write(_ path: String, _ value: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        if fd < 0 { throw CgroupError.writeFailed(path: path, value: value, errno: errno) }
        defer { close(fd) }
        let bytes = Array(value.utf8)
        while true {
            let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if written >= 0 { return }
            if errno != EINTR { throw CgroupError.writeFailed(path: path, value: value, errno: errno) }
        }
    }

    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    static func fileExists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    /// mkdir that accepts an existing directory; returns whether it created one.
    @discardableResult
    static func makeDirectory(_ path: String) throws -> Bool {
        if mkdir(path, 0o755) == 0 { return true }
        let code = errno
        if code == EEXIST && isDirectory(path) { return false }
        throw CgroupError.createFailed(path: path, errno: code)
    }

    /// Names of the subdirectories (child cgroups) of `path`, sorted; empty when `path` is missing.
    static func childCgroups(_ path: String) -> [String] {
        guard let dir = opendir(path) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name == "." || name == ".." { continue }
            // cgroupfs fills in d_type: no stat for each of the dozens of control files of a
            // cgroup (that was ~1 200 stat calls per pod teardown); lstat only where it is unknown.
            let type = entry.pointee.d_type
            if type == UInt8(DT_DIR) || (type == UInt8(DT_UNKNOWN) && isDirectory(path + "/" + name)) { names.append(name) }
        }
        return names.sorted()
    }

    /// Pids listed in `cgroup.procs` of `path` and every descendant cgroup.
    static func pidsRecursively(_ path: String) -> Set<Int32> {
        var pids = Set<Int32>()
        if let text = try? readIfPresent(path + "/cgroup.procs") {
            for line in text.split(whereSeparator: \.isNewline) {
                if let pid = Int32(line.trimmedWhitespace()) { pids.insert(pid) }
            }
        }
        for child in childCgroups(path) {
            pids.formUnion(pidsRecursively(path + "/" + child))
        }
        return pids
    }

    /// rmdir of `path` after its descendants. The kernel refuses (EBUSY) while a just-killed process is
    /// still exiting, so that is retried for about a second.
    static func removeTree(_ path: String) throws {
        guard isDirectory(path) else { return }
        for child in childCgroups(path) {
            try removeTree(path + "/" + child)
        }
        var attempts = 0
        while rmdir(path) != 0 {
            let code = errno
            if code == ENOENT { return }
            attempts += 1
            guard code == EBUSY || code == EINTR, attempts < 100 else {
                throw CgroupError.removeFailed(path: path, errno: code)
            }
            usleep(10_000)
        }
    }

    static func kill(_ pids: some Sequence<Int32>) {
        for pid in pids where pid > 0 {
            _ = Glibc.kill(pid, SIGKILL)
        }
    }
}

extension StringProtocol {
    /// Whitespace-trimmed copy; kept here so this target needs no Foundation.
    func trimmedWhitespace() -> String {
        var slice = Substring(self)
        while let first = slice.first, first.isWhitespace { slice.removeFirst() }
        while let last = slice.last, last.isWhitespace { slice.removeLast() }
        return String(slice)
    }
}
