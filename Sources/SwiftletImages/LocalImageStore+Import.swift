import Foundation

extension LocalImageStore {
    public func importRootfs(from path: String, reference: String, config: ImageConfig) throws -> ImageRecord {
        let normalized = try normalizeImageReference(reference)
        let source = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        let kind = try RootfsSource(path: source)

        let staging = stagingDirectory + "/import-\(UUID().uuidString)"
        guard mkdir(staging, 0o755) == 0 else {
            throw ImageError.fileSystem(path: staging, operation: "mkdir", errno: errno)
        }
        var staged = true
        defer {
            if staged { try? FileManager.default.removeItem(atPath: staging) }
        }
        try kind.unpack(into: staging, scratch: stagingDirectory)

        let digest = try RootfsDigest.compute(staging, extra: try Self.canonicalJSON(config))
        let id = "sha256:" + digest.hex
        let destination = rootfsDirectory + "/" + digest.hex
        let created = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))

        let (record, orphans): (ImageRecord, [ImageRecord]) = try lock.withLock {
            var index = try ImageIndex.load(indexPath)
            // The reference moves to the new image; an image left without references goes, as with `remove`.
            for position in index.images.indices where index.images[position].id != id {
                index.images[position].references.removeAll { $0 == normalized }
            }
            let orphans = index.images.filter { $0.references.isEmpty }
            index.images.removeAll { $0.references.isEmpty }

            let record: ImageRecord
            if let position = index.images.firstIndex(where: { $0.id == id }) {
                // Same tree and config already stored: keep its rootfs, just add the reference.
                if !index.images[position].references.contains(normalized) {
                    index.images[position].references.append(normalized)
                    index.images[position].references.sort()
                }
                record = index.images[position]
            } else {
                // A directory without an index entry is debris of an interrupted import; replace it.
                if FileManager.default.fileExists(atPath: destination) { try discardTree(destination) }
                guard rename(staging, destination) == 0 else {
                    throw ImageError.fileSystem(path: destination, operation: "rename \(staging) to", errno: errno)
                }
                staged = false
                record = ImageRecord(
                    id: id, references: [normalized], rootfs: destination, config: config,
                    created: created, size: digest.size)
                index.images.append(record)
            }
            try index.save(indexPath)
            return (record, orphans)
        }
        for orphan in orphans { try discard(orphan) }
        return record
    }

    /// Config as JSON with sorted keys, so equal configs always hash the same.
    static func canonicalJSON(_ config: ImageConfig) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(config), as: UTF8.self)
    }
}

/// What `importRootfs` was pointed at, and how to unpack it into a staging directory.
enum RootfsSource {
    case directory(String)
    case tarball(String, gzip: Bool)

    init(path: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ImageError.sourceNotFound(path)
        }
        if isDirectory.boolValue {
            self = .directory(path)
        } else if path.hasSuffix(".tar") {
            self = .tarball(path, gzip: false)
        } else if path.hasSuffix(".tar.gz") || path.hasSuffix(".tgz") {
            self = .tarball(path, gzip: true)
        } else {
            throw ImageError.unsupportedSource(path)
        }
    }

    func unpack(into staging: String, scratch: String) throws {
        switch self {
        case .directory(let source):
            // cp -a keeps modes, ownership, symlinks, hard links (within the copy), device nodes and xattrs.
            _ = try CommandRunner.run("/bin/cp", ["-a", "--", source + "/.", staging + "/"], scratch: scratch)
        case .tarball(let archive, let gzip):
            let compression = gzip ? ["-z"] : []
            // GNU tar already strips "/" and skips ".." members, but silently; a rootfs that tries either is
            // refused outright. A symlink pointing outside followed by a member written through it is caught
            // by GNU tar itself (it creates such symlinks only after all other members), failing the import.
            // Ownership is kept (no --no-same-owner): we run as root and images need it.
            let members = try CommandRunner.run("/usr/bin/tar", ["-t"] + compression + ["-f", archive], scratch: scratch)
            for member in members.split(separator: "\n", omittingEmptySubsequences: true) {
                if member.hasPrefix("/") || member.split(separator: "/").contains("..") {
                    throw ImageError.unsafeArchiveMember(archive: archive, member: String(member))
                }
            }
            _ = try CommandRunner.run(
                "/usr/bin/tar",
                ["-x"] + compression + ["-f", archive, "-C", staging, "--numeric-owner", "--same-permissions"],
                scratch: scratch)
        }
    }
}
