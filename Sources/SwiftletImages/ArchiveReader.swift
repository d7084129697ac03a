import CArchive
import Foundation

/// A tar stream read through libarchive, with whatever compression it carries (gzip, zstd, xz, bzip2 or
/// none, recognised from the bytes rather than the media type, as containerd does).
final class ArchiveReader {
    let path: String
    private let handle: OpaquePointer

    init(path: String) throws {
        guard let handle = archive_read_new() else { throw ImageError.archive(path: path, message: "archive_read_new failed") }
        self.handle = handle
        self.path = path
        archive_read_support_filter_all(handle)
        archive_read_support_format_tar(handle)
        // An empty layer (0 bytes, or compressed nothing) is a valid layer with no members.
        archive_read_support_format_empty(handle)
        guard archive_read_open_filename(handle, path, 1 << 20) == ARCHIVE_OK else {
            throw ImageError.archive(path: path, message: message)
        }
    }

    deinit { archive_read_free(handle) }

    private var message: String {
        archive_error_string(handle).map { String(cString: $0) } ?? "unreadable archive"
    }

    /// The next member's header, or nil at the end. Warnings (e.g. unconvertible names) are not fatal.
    func next() throws -> OpaquePointer? {
        var entry: OpaquePointer?
        while true {
            let status = archive_read_next_header(handle, &entry)
            switch status {
            case ARCHIVE_OK, ARCHIVE_WARN: return entry
            case ARCHIVE_EOF: return nil
            case ARCHIVE_RETRY: continue
            default: throw ImageError.archive(path: path, message: message)
            }
        }
    }

    /// The current member's data, block by block with its offset (sparse files have holes between blocks).
    func readData(_ body: (UnsafeRawBufferPointer, Int64) throws -> Void) throws {
        var buffer: UnsafeRawPointer?
        var size = 0
        var offset: la_int64_t = 0
        while true {
            let status = archive_read_data_block(handle, &buffer, &size, &offset)
            if status == ARCHIVE_EOF { return }
            guard status == ARCHIVE_OK || status == ARCHIVE_WARN else {
                throw ImageError.archive(path: path, message: message)
            }
            if let buffer, size > 0 { try body(UnsafeRawBufferPointer(start: buffer, count: size), Int64(offset)) }
        }
    }

    /// Member names only (data skipped), to tell an OCI archive from a docker-save archive from a rootfs.
    static func memberNames(_ path: String, limit: Int = 100_000) throws -> Set<String> {
        let reader = try ArchiveReader(path: path)
        var names: Set<String> = []
        while names.count < limit, let entry = try reader.next() {
            guard let raw = archive_entry_pathname(entry) else { continue }
            var name = String(cString: raw)
            while name.hasPrefix("./") { name.removeFirst(2) }
            names.insert(name)
        }
        return names
    }
}
