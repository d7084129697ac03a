import Foundation

/// Images as plain unpacked root filesystems under `<stateDir>/images`:
///
/// ```
/// images/index.json            the records (replaced atomically)
/// images/.lock                 flock'd around every index update and garbage collection
/// images/blobs/sha256/<hex>    OCI content (manifests, configs, layer blobs), verified before it lands
/// images/snapshots/<hex>/      one unpacked layer per layer blob (overlayfs whiteouts), shared by images
/// images/rootfs/<hex>/         one root filesystem per plain rootfs import
/// images/leases/<pid>-<uuid>   an import or pull in progress: garbage collection waits for it
/// images/tmp/                  staging for imports and removals (same filesystem, so rename is atomic)
/// ```
///
/// Several processes may use one store at once (the daemon and `swiftlet images` commands): imports unpack
/// and hash outside the lock, then take it only to update the index and move the tree into place.
public final class LocalImageStore: ImageStore {
    public let directory: String
    let indexPath: String
    let rootfsDirectory: String
    let stagingDirectory: String
    let lock: FileLock
    let content: ContentStore
    let snapshotsDirectory: String
    let leasesDirectory: String
    let blobFetches = BlobFetches()

    public init(stateDir: String) throws {
        let state = stateDir.hasPrefix("/") ? stateDir : FileManager.default.currentDirectoryPath + "/" + stateDir
        directory = (state as NSString).standardizingPath + "/images"
        indexPath = directory + "/index.json"
        rootfsDirectory = directory + "/rootfs"
        stagingDirectory = directory + "/tmp"
        lock = FileLock(path: directory + "/.lock")
        snapshotsDirectory = directory + "/snapshots"
        leasesDirectory = directory + "/leases"
        for path in [directory, rootfsDirectory, stagingDirectory, snapshotsDirectory, leasesDirectory] {
            do {
                try FileManager.default.createDirectory(
                    atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o711])
            } catch {
                throw ImageError.fileSystem(path: path, operation: "mkdir", errno: Self.errnoOf(error))
            }
        }
        content = try ContentStore(imagesDirectory: directory, temporaryDirectory: stagingDirectory)
    }

    public func resolve(_ reference: String) throws -> ImageRecord? {
        let index = try ImageIndex.load(indexPath)
        if Self.isImageID(reference) {
            return index.images.first { $0.id == reference }
        }
        let normalized = try normalizeImageReference(reference)
        return index.images.first { $0.references.contains(normalized) }
    }

    public func list() throws -> [ImageRecord] {
        try ImageIndex.load(indexPath).images.sorted {
            ($0.references.first ?? $0.id, $0.id) < ($1.references.first ?? $1.id, $1.id)
        }
    }

    public func remove(_ reference: String) throws {
        let byID = Self.isImageID(reference)
        let normalized = byID ? reference : try normalizeImageReference(reference)
        let orphan: ImageRecord? = try lock.withLock {
            var index = try ImageIndex.load(indexPath)
            guard let position = index.images.firstIndex(where: {
                byID ? $0.id == normalized : $0.references.contains(normalized)
            }) else { throw ImageError.notFound(reference) }
            index.images[position].references.removeAll { byID || $0 == normalized }
            var removed: ImageRecord?
            if index.images[position].references.isEmpty {
                removed = index.images.remove(at: position)
            }
            try index.save(indexPath)
            return removed
        }
        if let orphan { try discard(orphan) }
    }

    /// Frees what an image no longer referenced held: its rootfs tree, or its blobs and snapshots that no
    /// other image shares.
    func discard(_ orphan: ImageRecord) throws {
        if orphan.layers == nil {
            try discardTree(orphan.rootfs)
        } else {
            try collectGarbage()
        }
    }

    /// Moves a tree out of the way (atomic: a concurrent reader never sees it half-deleted) and deletes it.
    func discardTree(_ path: String) throws {
        let doomed = stagingDirectory + "/remove-\(UUID().uuidString)"
        guard rename(path, doomed) == 0 else {
            if errno == ENOENT { return }
            throw ImageError.fileSystem(path: path, operation: "rename", errno: errno)
        }
        do {
            try FileManager.default.removeItem(atPath: doomed)
        } catch {
            throw ImageError.fileSystem(path: doomed, operation: "remove", errno: Self.errnoOf(error))
        }
    }

    static func isImageID(_ reference: String) -> Bool {
        reference.wholeMatch(of: #/sha256:[a-f0-9]{64}/#) != nil
    }

    static func errnoOf(_ error: any Error) -> Int32 {
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return Int32(underlying.code)
        }
        return nsError.domain == NSPOSIXErrorDomain ? Int32(nsError.code) : EIO
    }
}
