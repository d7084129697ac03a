import CArchive
import Foundation

/// Writes tar archives member by member with libarchive, so tests can craft exactly the hostile members a
/// real tool would refuse to produce (`..`, absolute names, links out of the tree, device nodes).
final class TarBuilder {
    enum Compression { case none, gzip, zstd }
    enum Member {
        case file(String, String, mode: Int32 = 0o644)
        case bytes(String, [UInt8])
        case directory(String, mode: Int32 = 0o755)
        case symlink(String, target: String)
        case hardlink(String, target: String)
        case device(String, major: UInt32, minor: UInt32)
    }

    static func write(_ path: String, _ members: [Member], compression: Compression = .none) throws {
        guard let archive = archive_write_new() else { throw TarError("archive_write_new") }
        defer { archive_write_free(archive) }
        archive_write_set_format_pax_restricted(archive)
        switch compression {
        case .none: archive_write_add_filter_none(archive)
        case .gzip: archive_write_add_filter_gzip(archive)
        case .zstd: archive_write_add_filter_zstd(archive)
        }
        guard archive_write_open_filename(archive, path) == ARCHIVE_OK else { throw TarError(String(cString: archive_error_string(archive))) }
        for member in members {
            guard let entry = archive_entry_new() else { throw TarError("archive_entry_new") }
            defer { archive_entry_free(entry) }
            archive_entry_set_mtime(entry, 1_700_000_000, 0)
            var data: [UInt8] = []
            switch member {
            case .file(let name, let contents, let mode):
                archive_entry_set_pathname(entry, name)
                archive_entry_set_filetype(entry, 0o100000)
                archive_entry_set_perm(entry, mode_t(mode))
                archive_entry_set_size(entry, la_int64_t(contents.utf8.count))
                data = Array(contents.utf8)
            case .bytes(let name, let contents):
                archive_entry_set_pathname(entry, name)
                archive_entry_set_filetype(entry, 0o100000)
                archive_entry_set_perm(entry, 0o644)
                archive_entry_set_size(entry, la_int64_t(contents.count))
                data = contents
            case .directory(let name, let mode):
                archive_entry_set_pathname(entry, name)
                archive_entry_set_filetype(entry, 0o040000)
                archive_entry_set_perm(entry, mode_t(mode))
            case .symlink(let name, let target):
                archive_entry_set_pathname(entry, name)
                archive_entry_set_filetype(entry, 0o120000)
                archive_entry_set_perm(entry, 0o777)
                archive_entry_set_symlink(entry, target)
            case .hardlink(let name, let target):
                archive_entry_set_pathname(entry, name)
                archive_entry_set_filetype(entry, 0o100000)
                archive_entry_set_perm(entry, 0o644)
                archive_entry_set_hardlink(entry, target)
                archive_entry_set_size(entry, 0)
            case .device(let name, let major, let minor):
                archive_entry_set_pathname(entry, name)
                archive_entry_set_filetype(entry, 0o020000)
                archive_entry_set_perm(entry, 0o666)
                archive_entry_set_rdevmajor(entry, dev_t(major))
                archive_entry_set_rdevminor(entry, dev_t(minor))
            }
            guard archive_write_header(archive, entry) == ARCHIVE_OK else {
                throw TarError(String(cString: archive_error_string(archive)))
            }
            if !data.isEmpty {
                _ = data.withUnsafeBytes { archive_write_data(archive, $0.baseAddress, $0.count) }
            }
        }
        guard archive_write_close(archive) == ARCHIVE_OK else { throw TarError(String(cString: archive_error_string(archive))) }
    }

    struct TarError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}
