import CArchive
import Glibc
import SwiftletLaunch
import SwiftletSystem

/// gzip for rotated container logs, through libarchive's gzip filter over its raw format (a
/// single unnamed member, which is what a `.gz` file is), so no further library is needed.
public enum LogCompression {
    /// The kubelet's `compressLog`: `path` is written gzipped to `path.tmp` with the same mode,
    /// renamed to `path.gz`, and then removed. A failure leaves `path` as it was (and at most a
    /// `.tmp`, which the next pass removes as unused).
    public static func compress(_ path: String) throws(RuntimeError) {
        let tmp = path + ".tmp"
        do throws(RuntimeError) {
            try write(from: path, to: tmp)
        } catch {
            unlink(tmp)
            throw error
        }
        guard rename(tmp, path + ".gz") == 0 else {
            let message = "rename \(tmp): \(String(cString: strerror(errno)))"
            unlink(tmp)
            throw RuntimeError("LogCompression", message)
        }
        // Gone meanwhile: swiftlet-pause deleted it as one too many (containerLogMaxFiles) while
        // it was being compressed; its .gz must not bring it back.
        if unlink(path) != 0 && errno == ENOENT { unlink(path + ".gz") }
    }

    private static func write(from path: String, to tmp: String) throws(RuntimeError) {
        let input = open(path, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw RuntimeError("LogCompression", "open \(path): \(String(cString: strerror(errno)))") }
        defer { close(input) }
        var st = stat()
        guard fstat(input, &st) == 0 else { throw RuntimeError("LogCompression", "stat \(path): \(String(cString: strerror(errno)))") }
        let output = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, st.st_mode & 0o7777)
        guard output >= 0 else { throw RuntimeError("LogCompression", "open \(tmp): \(String(cString: strerror(errno)))") }
        defer { close(output) }
        guard let archive = archive_write_new() else { throw RuntimeError("LogCompression", "archive_write_new failed") }
        defer { archive_write_free(archive) }
        func failure(_ stage: String) -> RuntimeError {
            let detail = archive_error_string(archive).map { String(cString: $0) } ?? "failed"
            return RuntimeError("LogCompression", "gzip \(path): \(stage): \(detail)")
        }
        // Unblocked output: the default 10 KiB blocks would pad the gzip stream with zeros.
        guard archive_write_add_filter_gzip(archive) == ARCHIVE_OK, archive_write_set_format_raw(archive) == ARCHIVE_OK,
            archive_write_set_bytes_per_block(archive, 0) == ARCHIVE_OK, archive_write_open_fd(archive, output) == ARCHIVE_OK
        else { throw failure("open") }
        guard let entry = archive_entry_new() else { throw failure("entry") }
        defer { archive_entry_free(entry) }
        archive_entry_set_filetype(entry, 0o100000)  // AE_IFREG (a cast macro Swift cannot import)
        guard archive_write_header(archive, entry) == ARCHIVE_OK else { throw failure("header") }
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(input, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { throw RuntimeError("LogCompression", "read \(path): \(String(cString: strerror(errno)))") }
            if n == 0 { break }
            let written = buffer.withUnsafeBytes { archive_write_data(archive, $0.baseAddress, n) }
            guard written == n else { throw failure("write") }
        }
        guard archive_write_close(archive) == ARCHIVE_OK else { throw failure("close") }
        guard fsync(output) == 0 else { throw RuntimeError("LogCompression", "fsync \(tmp): \(String(cString: strerror(errno)))") }
    }

    /// The uncompressed content of a `.gz` file; nil if it is gone or not gzip.
    public static func inflate(_ path: String, limit: Int = 1 << 30) -> [UInt8]? {
        guard let archive = archive_read_new() else { return nil }
        defer { archive_read_free(archive) }
        archive_read_support_filter_gzip(archive)
        archive_read_support_format_raw(archive)
        guard archive_read_open_filename(archive, path, 64 * 1024) == ARCHIVE_OK else { return nil }
        // Without the gzip filter libarchive's raw format would pass any file through unchanged.
        guard archive_filter_count(archive) > 1, archive_filter_code(archive, 0) == ARCHIVE_FILTER_GZIP else { return nil }
        var entry: OpaquePointer?
        guard archive_read_next_header(archive, &entry) == ARCHIVE_OK else { return nil }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while out.count < limit {
            let n = buffer.withUnsafeMutableBytes { archive_read_data(archive, $0.baseAddress, $0.count) }
            if n == 0 { return out }
            guard n > 0 else { return nil }
            out.append(contentsOf: buffer[0..<n])
        }
        return out
    }
}

extension PodRuntime {
    /// One pass of the container log manager over every pod's log directory (`LogCompression.pass`).
    public func compressRotatedLogs(now: Int64) -> [String] {
        LogCompression.pass(logDirectory: configuration.logDirectory, now: now)
    }
}

extension LogCompression {
    /// One pass over `<logDirectory>/<pod>/<container>/`: leftovers of an interrupted compression
    /// removed, then every rotated file but each attempt's newest gzipped
    /// (`ContainerLogFiles.compressible`). Returns what failed, for the log.
    public static func pass(logDirectory root: String, now: Int64) -> [String] {
        var failures: [String] = []
        for pod in FileIO.list(root) {
            for container in FileIO.list(root + "/" + pod) {
                let dir = root + "/" + pod + "/" + container
                let names = FileIO.list(dir)
                // Most directories hold live files only: no stat for them.
                guard names.contains(where: { $0.contains(".log.") }) else { continue }
                for name in ContainerLogFiles.unused(names) { unlink(dir + "/" + name) }
                let entries = FileIO.list(dir).compactMap { name -> ContainerLogFiles.Entry? in
                    var st = stat()
                    guard stat(dir + "/" + name, &st) == 0 else { return nil }
                    return ContainerLogFiles.Entry(name: name, modified: Int64(st.st_mtim.tv_sec))
                }
                for name in ContainerLogFiles.compressible(entries, now: now) {
                    do throws(RuntimeError) { try LogCompression.compress(dir + "/" + name) } catch {
                        // Deleted by the pause's rotation since the listing: nothing to report.
                        if FileIO.exists(dir + "/" + name) { failures.append(error.message) }
                    }
                }
            }
        }
        return failures
    }
}
