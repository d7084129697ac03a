import Foundation

/// The content identity of an unpacked root filesystem: a SHA-256 over a sorted listing of every entry
/// (path, type+mode, owner, size, and the symlink target, device number or content digest), which is what
/// makes two imports of the same tree the same image.
struct RootfsDigest {
    var listing = SHA256()
    /// Bytes of regular files, each inode once.
    var size: Int64 = 0
    private var contentDigests: [FileIdentity: String] = [:]

    private struct FileIdentity: Hashable {
        let device: UInt64
        let inode: UInt64
    }

    /// Walks `root` without following symlinks; returns the hex digest of the listing (plus `extra`, e.g. the
    /// config) and the rootfs size.
    static func compute(_ root: String, extra: String) throws -> (hex: String, size: Int64) {
        var digest = RootfsDigest()
        try digest.visit(root: root, relative: ".")
        digest.listing.update("config\t" + extra + "\n")
        let size = digest.size
        return (SHA256.hex(digest.listing.finalize()), size)
    }

    private mutating func visit(root: String, relative: String) throws {
        let path = relative == "." ? root : root + "/" + relative
        var info = stat()
        guard lstat(path, &info) == 0 else { throw ImageError.fileSystem(path: path, operation: "lstat", errno: errno) }
        let type = info.st_mode & S_IFMT
        var detail = ""
        switch type {
        case S_IFREG:
            detail = try contentDigest(path, info)
        case S_IFLNK:
            detail = try linkTarget(path)
        case S_IFCHR, S_IFBLK:
            detail = "\(info.st_rdev)"
        default:
            break
        }
        let fileSize = type == S_IFREG ? Int64(info.st_size) : 0
        listing.update(
            "\(Self.escape(relative))\t\(String(info.st_mode, radix: 8))\t\(info.st_uid):\(info.st_gid)\t\(fileSize)\t\(Self.escape(detail))\n")
        if type == S_IFDIR {
            for name in try Self.entries(path) {
                try visit(root: root, relative: relative == "." ? name : relative + "/" + name)
            }
        }
    }

    private mutating func contentDigest(_ path: String, _ info: stat) throws -> String {
        let identity = FileIdentity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
        if let known = contentDigests[identity] { return known }
        size += Int64(info.st_size)
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { throw ImageError.fileSystem(path: path, operation: "open", errno: errno) }
        defer { close(fd) }
        let hasher = SHA256()
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw ImageError.fileSystem(path: path, operation: "read", errno: errno)
            }
            if count == 0 { break }
            hasher.update(buffer[0..<count])
        }
        let hex = SHA256.hex(hasher.finalize())
        contentDigests[identity] = hex
        return hex
    }

    private func linkTarget(_ path: String) throws -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count >= 0 else { throw ImageError.fileSystem(path: path, operation: "readlink", errno: errno) }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Directory entries sorted by their bytes, so the listing does not depend on readdir order or locale.
    private static func entries(_ path: String) throws -> [String] {
        guard let dir = opendir(path) else {
            throw ImageError.fileSystem(path: path, operation: "opendir", errno: errno)
        }
        defer { closedir(dir) }
        var names: [[UInt8]] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in Array(raw.prefix { $0 != 0 }) }
            if name == [0x2e] || name == [0x2e, 0x2e] { continue }
            names.append(name)
        }
        return names.sorted { $0.lexicographicallyPrecedes($1) }.map { String(decoding: $0, as: UTF8.self) }
    }

    /// Keeps one entry per line whatever the name contains.
    private static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
            .replacingOccurrences(of: "\t", with: "\\t")
    }
}
