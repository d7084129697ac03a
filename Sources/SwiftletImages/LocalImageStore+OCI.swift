import Foundation

extension LocalImageStore {
    /// Makes an image of a manifest whose blobs (config and layers) are all in the content store: unpacks the
    /// layers not yet unpacked, then records the image under `references` (moving them off other images).
    /// `extraBlobs` are blobs the image keeps besides manifest, config and layers (the index it came from);
    /// `target` is what the reference pointed at (that index, else the manifest): repo digests name it, as
    /// containerd's do, so `imageID` of a multi-platform image is the index digest users see in registries.
    func registerImage(
        manifest manifestDigest: OCIDigest, references: [String], extraBlobs: [OCIDigest] = [], target: OCIDigest? = nil,
        pulled: Bool = false
    ) throws -> ImageRecord {
        let manifest = try content.decode(OCIManifest.self, manifestDigest)
        let configFile = try content.decode(OCIImageConfigFile.self, manifest.config.digest)
        if let diffIDs = configFile.rootfs?.diffIDs, diffIDs.count != manifest.layers.count {
            throw ImageError.invalidContent(
                manifestDigest.description,
                reason: "manifest has \(manifest.layers.count) layers but its config lists \(diffIDs.count)")
        }
        var layers: [String] = []
        for layer in manifest.layers {
            guard OCIMediaType.isLayer(layer.mediaType) else {
                throw ImageError.invalidContent(manifestDigest.description, reason: "unsupported layer media type \(layer.mediaType)")
            }
            layers.append(try snapshot(layer.digest))
        }
        let manifestSize = Int64((try? content.read(manifestDigest).count) ?? 0)
        let size = manifest.layers.reduce(manifest.config.size + manifestSize) { $0 + $1.size }
        var record = ImageRecord(
            id: manifest.config.digest.description, references: references.sorted(), rootfs: "",
            config: configFile.imageConfig, created: Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down)),
            size: size)
        record.layers = layers
        record.manifestDigest = manifestDigest.description
        record.blobs = ([manifestDigest, manifest.config.digest] + manifest.layers.map(\.digest) + extraBlobs)
            .map(\.description)
        record.repoDigests = Self.repoDigests(references, target ?? manifestDigest)
        record.pulled = pulled ? true : nil

        let (stored, orphans): (ImageRecord, [ImageRecord]) = try lock.withLock {
            var index = try ImageIndex.load(indexPath)
            for position in index.images.indices where index.images[position].id != record.id {
                index.images[position].references.removeAll { references.contains($0) }
            }
            let orphans = index.images.filter { $0.references.isEmpty }
            index.images.removeAll { $0.references.isEmpty }
            if let position = index.images.firstIndex(where: { $0.id == record.id }) {
                // Same config: the same image (perhaps from another manifest, e.g. other compression).
                var existing = index.images[position]
                existing.references = Array(Set(existing.references + references)).sorted()
                existing.repoDigests = Array(Set((existing.repoDigests ?? []) + (record.repoDigests ?? []))).sorted()
                existing.blobs = Array(Set((existing.blobs ?? []) + (record.blobs ?? []))).sorted()
                existing.pulled = pulled ? true : existing.pulled
                if existing.layers == nil {
                    // A rootfs import had this id? Impossible (ids differ in kind), but never lose the tree.
                    existing.layers = record.layers
                }
                index.images[position] = existing
                record = existing
            } else {
                index.images.append(record)
            }
            try index.save(indexPath)
            return (record, orphans)
        }
        for orphan in orphans { try discard(orphan) }
        return stored
    }

    static func repoDigests(_ references: [String], _ manifest: OCIDigest) -> [String] {
        let names = references.compactMap { try? ImageReference(parsing: $0).name }
        return Array(Set(names)).sorted().map { $0 + "@" + manifest.description }
    }

    /// The snapshot directory of a layer blob, unpacking it first when no image has yet.
    func snapshot(_ layer: OCIDigest) throws -> String {
        let destination = snapshotsDirectory + "/" + layer.hex
        if access(destination, F_OK) == 0 { return destination }
        let staging = stagingDirectory + "/unpack-\(UUID().uuidString)"
        guard mkdir(staging, 0o755) == 0 else { throw ImageError.fileSystem(path: staging, operation: "mkdir", errno: errno) }
        do {
            _ = try LayerUnpacker(archivePath: content.path(layer), root: staging).unpack()
            if rename(staging, destination) != 0 {
                // Another import unpacked the same layer meanwhile: use theirs.
                guard errno == EEXIST || errno == ENOTEMPTY else {
                    throw ImageError.fileSystem(path: destination, operation: "rename \(staging) to", errno: errno)
                }
                try discardTree(staging)
            }
        } catch {
            try? discardTree(staging)
            throw error
        }
        return destination
    }

    // MARK: Leases and garbage collection

    /// Runs `body` holding a lease: while any live process holds one, garbage collection leaves unreferenced
    /// blobs and snapshots alone (they may belong to an image about to be registered).
    func withLease<T>(_ body: () throws -> T) throws -> T {
        let lease = leasesDirectory + "/\(getpid())-\(UUID().uuidString)"
        let fd = open(lease, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw ImageError.fileSystem(path: lease, operation: "create", errno: errno) }
        close(fd)
        defer { unlink(lease) }
        return try body()
    }

    func withLease<T>(_ body: () async throws -> T) async throws -> T {
        let lease = leasesDirectory + "/\(getpid())-\(UUID().uuidString)"
        let fd = open(lease, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw ImageError.fileSystem(path: lease, operation: "create", errno: errno) }
        close(fd)
        defer { unlink(lease) }
        return try await body()
    }

    /// Leases of processes still alive; leases of dead processes are removed.
    func liveLeases() -> [String] {
        var live: [String] = []
        for name in (try? FileManager.default.contentsOfDirectory(atPath: leasesDirectory)) ?? [] {
            guard let pid = Int32(name.split(separator: "-").first ?? "") else { continue }
            if kill(pid, 0) == 0 || errno == EPERM { live.append(name) } else { unlink(leasesDirectory + "/" + name) }
        }
        return live
    }

    /// Deletes blobs and snapshots no image references, unless an import or pull is in progress.
    /// Returns the bytes of blobs freed.
    @discardableResult
    public func collectGarbage() throws -> Int64 {
        try lock.withLock {
            guard liveLeases().isEmpty else { return 0 }
            let index = try ImageIndex.load(indexPath)
            var blobs: Set<OCIDigest> = []
            var snapshots: Set<String> = []
            for image in index.images {
                for blob in image.blobs ?? [] { if let digest = try? OCIDigest(parsing: blob) { blobs.insert(digest) } }
                for layer in image.layers ?? [] { snapshots.insert((layer as NSString).lastPathComponent) }
            }
            let freed = content.removeAll(except: blobs)
            for name in (try? FileManager.default.contentsOfDirectory(atPath: snapshotsDirectory)) ?? []
            where !snapshots.contains(name) {
                try discardTree(snapshotsDirectory + "/" + name)
            }
            removeStagingDebris(partials: true)
            return freed
        }
    }

    /// Clears `tmp/` of what interrupted imports and pulls (a kill -9, a crash) left behind, when no
    /// import or pull is running: the daemon calls it at start. Partial downloads are kept (a pull of
    /// the same blob continues from them), unless their blob is stored by now; `swiftlet images prune`
    /// and garbage collection drop them too. Returns the names removed.
    @discardableResult
    public func cleanStaging() throws -> [String] {
        try lock.withLock {
            guard liveLeases().isEmpty else { return [] }
            return removeStagingDebris(partials: false)
        }
    }

    /// Called with the lock held and no live lease. Partial downloads in use (flock'd) always stay.
    @discardableResult
    private func removeStagingDebris(partials: Bool) -> [String] {
        var removed: [String] = []
        let idle = Set(content.idlePartials())
        for name in (try? FileManager.default.contentsOfDirectory(atPath: stagingDirectory)) ?? [] {
            let path = stagingDirectory + "/" + name
            if name.hasPrefix(ContentStore.partialPrefix) {
                guard idle.contains(path) else { continue }
                let stored = (try? OCIDigest(parsing: "sha256:" + name.dropFirst(ContentStore.partialPrefix.count))).map(content.contains) ?? true
                guard partials || stored else { continue }
            } else {
                let debris = ["blob-", "unpack-", "archive-", "import-", "remove-"].contains { name.hasPrefix($0) }
                guard debris else { continue }
            }
            if (try? FileManager.default.removeItem(atPath: path)) != nil { removed.append(name) }
        }
        return removed
    }
}
