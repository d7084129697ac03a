import CArchive
import Foundation

/// Extracts one layer tar into a snapshot directory without ever writing outside it, whatever the archive says.
///
/// Every member is resolved component by component from a descriptor of the snapshot root with
/// `openat(…, O_NOFOLLOW | O_DIRECTORY)`, so a symlink or a non-directory in the middle of a path stops the
/// walk instead of redirecting it (string checks alone cannot see symlinks created by earlier members).
/// Policy, per member:
/// - absolute names are taken relative to the snapshot (as tar and containerd do); a `..` component, a name
///   component over 255 bytes or a name over 4095 bytes refuses the layer;
/// - a member whose parent resolves through a symlink refuses the layer;
/// - hard links must name a file already extracted from the same layer (an absolute target is relative to
///   the snapshot too), else the layer is refused;
/// - character and block devices are created only when running as root, otherwise skipped;
/// - xattrs: only `user.*` and `security.capability` are applied (never `trusted.overlay.*`, which would let
///   a layer steer the overlay mount);
/// - with `whiteouts`, OCI whiteouts become overlayfs ones: `.wh.NAME` a 0:0 character device `NAME`,
///   `.wh..wh..opq` the `trusted.overlay.opaque=y` xattr on its directory (as containerd's overlay snapshotter).
package struct LayerUnpacker {
    package struct Result {
        /// Bytes of regular file data written.
        package var bytes: Int64 = 0
        /// Members skipped by policy (device nodes without privilege, sockets), for a log line.
        package var skipped: [String] = []
    }

    let archivePath: String
    let root: String
    var whiteouts = true
    var privileged = geteuid() == 0

    /// `package`: the layer fuzzer (SwiftletFuzz) drives the unpacker directly.
    package init(archivePath: String, root: String) {
        self.archivePath = archivePath
        self.root = root
    }

    static let maxPathLength = 4095
    static let maxNameLength = 255
    static let whiteoutPrefix = ".wh."
    static let opaqueWhiteout = ".wh..wh..opq"

    /// Splits a member name into safe components: leading "/" and "." components dropped, ".." refused.
    static func components(of name: String) throws -> [String] {
        guard name.utf8.count <= maxPathLength else { throw Refusal("name is longer than \(maxPathLength) bytes") }
        var parts: [String] = []
        for part in name.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == ".." { throw Refusal("\"..\" would leave the layer") }
            guard part.utf8.count <= maxNameLength else { throw Refusal("a component is longer than \(maxNameLength) bytes") }
            parts.append(String(part))
        }
        return parts
    }

    struct Refusal: Error {
        let reason: String
        init(_ reason: String) { self.reason = reason }
    }

    /// Unpacks into `root` (an existing, empty directory).
    package func unpack() throws -> Result {
        let reader = try ArchiveReader(path: archivePath)
        let rootFD = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW)
        guard rootFD >= 0 else { throw ImageError.fileSystem(path: root, operation: "open", errno: errno) }
        var walker = DirectoryWalker(root: rootFD)
        defer { walker.closeAll() }
        var result = Result()
        var directories: [(components: [String], entry: EntryMetadata)] = []

        while let entry = try reader.next() {
            let name = Self.name(entry)
            do {
                let parts = try Self.components(of: name)
                guard let last = parts.last else { continue }  // the root itself: keep the snapshot's own mode
                let metadata = EntryMetadata(entry)
                if let target = archive_entry_hardlink(entry).map({ String(cString: $0) }) {
                    try link(name, parts, to: target, walker: &walker)
                    continue
                }
                let parent = try walker.open(parts.dropLast(), create: true)
                if whiteouts, last.hasPrefix(Self.whiteoutPrefix) {
                    try applyWhiteout(last, parent: parent)
                    continue
                }
                switch metadata.type {
                case S_IFDIR:
                    try replace(last, in: parent, keepingDirectory: true)
                    if mkdirat(parent, last, 0o700) != 0, errno != EEXIST { try check(-1, "mkdir", name) }
                    directories.append((parts, metadata))
                case S_IFREG:
                    try replace(last, in: parent, keepingDirectory: false)
                    let fd = openat(parent, last, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
                    try check(fd, "create", name)
                    defer { close(fd) }
                    try reader.readData { block, offset in
                        var done = 0
                        while done < block.count {
                            let count = pwrite(fd, block.baseAddress! + done, block.count - done, off_t(offset) + off_t(done))
                            if count < 0, errno == EINTR { continue }
                            try check(count < 0 ? -1 : 0, "write", name)
                            done += count
                        }
                    }
                    try check(ftruncate(fd, off_t(metadata.size)), "truncate", name)
                    result.bytes += metadata.size
                    applyXattrs(entry, fd: fd)
                    try metadata.apply(fd: fd, privileged: privileged, name: name)
                case S_IFLNK:
                    let target = archive_entry_symlink(entry).map { String(cString: $0) } ?? ""
                    try replace(last, in: parent, keepingDirectory: false)
                    try check(symlinkat(target, parent, last), "symlink", name)
                    if privileged { _ = fchownat(parent, last, metadata.uid, metadata.gid, AT_SYMLINK_NOFOLLOW) }
                    var times = metadata.times
                    _ = utimensat(parent, last, &times, AT_SYMLINK_NOFOLLOW)
                case S_IFCHR, S_IFBLK:
                    guard privileged else {
                        result.skipped.append(name + " (device node; not root)")
                        continue
                    }
                    try replace(last, in: parent, keepingDirectory: false)
                    try check(mknodat(parent, last, metadata.type | metadata.permissions, archive_entry_rdev(entry)), "mknod", name)
                    try metadata.apply(parent: parent, name: last, privileged: privileged, member: name)
                case S_IFIFO:
                    try replace(last, in: parent, keepingDirectory: false)
                    try check(mkfifoat(parent, last, metadata.permissions), "mkfifo", name)
                    try metadata.apply(parent: parent, name: last, privileged: privileged, member: name)
                default:
                    result.skipped.append(name + " (unsupported type)")
                }
            } catch let refusal as Refusal {
                throw ImageError.unsafeLayerMember(archive: archivePath, member: name, reason: refusal.reason)
            }
        }
        // Directory modes and times last: a read-only directory must still take its members, and adding
        // members changes its mtime. Deepest first, so a parent's time is set after its children's. A later
        // member of the same name wins, as in tar: a directory listed twice takes its last metadata, and one
        // a later member replaced (by a file or symlink, or by removing a parent) takes none.
        var applied = Set<[String]>()
        for (parts, metadata) in directories.reversed() where applied.insert(parts).inserted {
            let fd: Int32
            do { fd = try walker.open(parts[...], create: false) } catch is Refusal { continue } catch let error as ImageError {
                if case .fileSystem(_, _, let code) = error, code == ENOENT { continue }
                throw error
            }
            try metadata.apply(fd: fd, privileged: privileged, name: parts.joined(separator: "/"))
        }
        return result
    }

    /// A hard link: the target must be a non-directory already extracted from this layer.
    private func link(_ name: String, _ parts: [String], to target: String, walker: inout DirectoryWalker) throws {
        let targetParts = try Self.components(of: target)
        guard let targetName = targetParts.last, let last = parts.last else { throw Refusal("hard link to the layer root") }
        let targetParent = try walker.openOwned(targetParts.dropLast())
        defer { if targetParent != walker.root { close(targetParent) } }
        var info = stat()
        guard fstatat(targetParent, targetName, &info, AT_SYMLINK_NOFOLLOW) == 0, info.st_mode & S_IFMT != S_IFDIR else {
            throw Refusal("hard link target \"\(target)\" is not a file of this layer")
        }
        let parent = try walker.open(parts.dropLast(), create: true)
        try replace(last, in: parent, keepingDirectory: false)
        try check(linkat(targetParent, targetName, parent, last, 0), "link", name)
    }

    private static func name(_ entry: OpaquePointer) -> String {
        if let raw = archive_entry_pathname(entry) { return String(cString: raw) }
        if let raw = archive_entry_pathname_utf8(entry) { return String(cString: raw) }
        return ""
    }

    private func applyWhiteout(_ name: String, parent: Int32) throws {
        if name == Self.opaqueWhiteout {
            let value = "y"
            guard fsetxattr(parent, "trusted.overlay.opaque", value, 1, 0) == 0 else {
                throw ImageError.fileSystem(path: root, operation: "set trusted.overlay.opaque in", errno: errno)
            }
            return
        }
        if name.hasPrefix(Self.whiteoutPrefix + Self.whiteoutPrefix) { return }  // other AUFS metadata: ignored
        let hidden = String(name.dropFirst(Self.whiteoutPrefix.count))
        guard !hidden.isEmpty, hidden != ".", hidden != ".." else { throw Refusal("malformed whiteout") }
        try replace(hidden, in: parent, keepingDirectory: false)
        guard mknodat(parent, hidden, S_IFCHR, 0) == 0 else {
            throw ImageError.fileSystem(path: root, operation: "create whiteout \(hidden) in", errno: errno)
        }
    }

    private func applyXattrs(_ entry: OpaquePointer, fd: Int32) {
        guard archive_entry_xattr_reset(entry) > 0 else { return }
        var name: UnsafePointer<CChar>?
        var value: UnsafeRawPointer?
        var size = 0
        while archive_entry_xattr_next(entry, &name, &value, &size) == ARCHIVE_OK, let name {
            let key = String(cString: name)
            guard key.hasPrefix("user.") || key == "security.capability" else { continue }
            _ = fsetxattr(fd, key, value, size, 0)  // best effort: the filesystem may not support it
        }
    }

    /// Makes room for a new member: an existing entry of that name goes, unless both are directories.
    private func replace(_ name: String, in parent: Int32, keepingDirectory: Bool) throws {
        var info = stat()
        guard fstatat(parent, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else { return }
        let isDirectory = info.st_mode & S_IFMT == S_IFDIR
        if isDirectory && keepingDirectory { return }
        try removeAt(parent, name, isDirectory: isDirectory)
    }

    /// Removes an entry, descending into directories by descriptor (never following symlinks).
    private func removeAt(_ parent: Int32, _ name: String, isDirectory: Bool) throws {
        if isDirectory {
            let fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard fd >= 0, let dir = fdopendir(fd) else {
                throw ImageError.fileSystem(path: name, operation: "open", errno: errno)
            }
            var children: [(String, Bool)] = []
            while let entry = readdir(dir) {
                let child = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                if child == "." || child == ".." { continue }
                children.append((child, entry.pointee.d_type == UInt8(DT_DIR)))
            }
            for (child, childIsDirectory) in children { try removeAt(dirfd(dir), child, isDirectory: childIsDirectory) }
            closedir(dir)
        }
        guard unlinkat(parent, name, isDirectory ? AT_REMOVEDIR : 0) == 0 || errno == ENOENT else {
            throw ImageError.fileSystem(path: name, operation: "remove", errno: errno)
        }
    }

    private func check(_ status: some BinaryInteger, _ operation: String, _ member: String) throws {
        guard status >= 0 else {
            throw ImageError.fileSystem(path: root + "/" + member, operation: operation, errno: errno)
        }
    }
}

/// Mode, owner and times of a member, applied after its content.
struct EntryMetadata {
    let type: mode_t
    let permissions: mode_t
    let uid: uid_t
    let gid: gid_t
    let size: Int64
    let times: [timespec]

    init(_ entry: OpaquePointer) {
        type = archive_entry_filetype(entry) & S_IFMT
        permissions = archive_entry_perm(entry) & 0o7777
        uid = uid_t(clamping: archive_entry_uid(entry))
        gid = gid_t(clamping: archive_entry_gid(entry))
        size = max(0, archive_entry_size(entry))
        let mtime = timespec(tv_sec: archive_entry_mtime(entry), tv_nsec: archive_entry_mtime_nsec(entry))
        times = [mtime, mtime]
    }

    /// Owner before mode: chown clears set-uid/set-gid bits.
    func apply(fd: Int32, privileged: Bool, name: String) throws {
        if privileged, fchown(fd, uid, gid) != 0 {
            throw ImageError.fileSystem(path: name, operation: "chown", errno: errno)
        }
        guard fchmod(fd, permissions) == 0 else { throw ImageError.fileSystem(path: name, operation: "chmod", errno: errno) }
        _ = futimens(fd, times)
    }

    func apply(parent: Int32, name: String, privileged: Bool, member: String) throws {
        if privileged, fchownat(parent, name, uid, gid, AT_SYMLINK_NOFOLLOW) != 0 {
            throw ImageError.fileSystem(path: member, operation: "chown", errno: errno)
        }
        guard fchmodat(parent, name, permissions, 0) == 0 else {
            throw ImageError.fileSystem(path: member, operation: "chmod", errno: errno)
        }
        _ = utimensat(parent, name, times, AT_SYMLINK_NOFOLLOW)
    }
}

/// Opens directories below a root descriptor one component at a time, refusing symlinks and non-directories;
/// caches the last directory opened, since tar members of one directory usually come together.
struct DirectoryWalker {
    let root: Int32
    private var cached: (path: [String], fd: Int32)?

    init(root: Int32) { self.root = root }

    /// A directory descriptor owned by the walker (valid until the next call).
    mutating func open(_ components: ArraySlice<String>, create: Bool) throws -> Int32 {
        if components.isEmpty { return root }
        // The cached directory may have been removed since (a later member replaced it or a parent): a removed
        // directory has no links left, and members written through its descriptor would vanish with it.
        var info = stat()
        if let cached, cached.path.elementsEqual(components), fstat(cached.fd, &info) == 0, info.st_nlink > 0 {
            return cached.fd
        }
        let fd = try walk(components, create: create)
        if let cached { close(cached.fd) }
        cached = (Array(components), fd)
        return fd
    }

    /// A descriptor the caller closes (unless it is `root`); a missing directory is a refusal.
    func openOwned(_ components: ArraySlice<String>) throws -> Int32 {
        if components.isEmpty { return root }
        do { return try walk(components, create: false) } catch let error as ImageError {
            if case .fileSystem(_, _, let code) = error, code == ENOENT {
                throw LayerUnpacker.Refusal("\"\(components.joined(separator: "/"))\" is not a directory of this layer")
            }
            throw error
        }
    }

    private func walk(_ components: ArraySlice<String>, create: Bool) throws -> Int32 {
        var fd = root
        for component in components {
            var next = openat(fd, component, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            if next < 0, errno == ENOENT, create {
                // Missing parents are implied by deeper members (tar does not require them to be listed).
                if mkdirat(fd, component, 0o755) != 0, errno != EEXIST {
                    let code = errno
                    if fd != root { close(fd) }
                    throw ImageError.fileSystem(path: components.joined(separator: "/"), operation: "mkdir", errno: code)
                }
                next = openat(fd, component, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            }
            let code = errno
            if fd != root { close(fd) }
            guard next >= 0 else {
                if code == ELOOP || code == ENOTDIR {
                    throw LayerUnpacker.Refusal("\"\(component)\" on its path is a symlink or not a directory")
                }
                throw ImageError.fileSystem(path: components.joined(separator: "/"), operation: "open", errno: code)
            }
            fd = next
        }
        return fd
    }

    mutating func closeAll() {
        if let cached { close(cached.fd) }
        cached = nil
        close(root)
    }
}
