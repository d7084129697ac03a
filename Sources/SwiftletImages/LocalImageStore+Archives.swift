import Foundation

/// What `swiftlet images import PATH` was given.
public enum ImageSourceKind: Sendable, Equatable {
    case ociLayout, ociArchive, dockerArchive, rootfsDirectory, rootfsTarball

    /// Looks at the path: a directory with an `oci-layout` file is an OCI layout; an archive holding one is an
    /// OCI archive; an archive with a top-level `manifest.json` is a `docker save` archive; anything else is a
    /// root filesystem.
    public static func detect(_ path: String) throws -> ImageSourceKind {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ImageError.sourceNotFound(path)
        }
        if isDirectory.boolValue {
            return FileManager.default.fileExists(atPath: path + "/oci-layout") ? .ociLayout : .rootfsDirectory
        }
        let names = try ArchiveReader.memberNames(path)
        if names.contains("oci-layout") { return .ociArchive }
        if names.contains("manifest.json") { return .dockerArchive }
        return .rootfsTarball
    }
}

extension LocalImageStore {
    /// Imports an OCI layout directory, OCI archive or `docker save` archive. `name` names the image (required
    /// when the source names none; a name without tag takes the tag the layout gives, if any).
    public func importImage(from path: String, name: String?) throws -> [ImageRecord] {
        let source = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        switch try ImageSourceKind.detect(source) {
        case .ociLayout:
            return try withLease { try importLayout(source, name: name) }
        case .ociArchive:
            return try withLease { try withExtractedArchive(source) { try importLayout($0, name: name) } }
        case .dockerArchive:
            return try withLease { try withExtractedArchive(source) { try importDockerArchive($0, name: name) } }
        case .rootfsDirectory, .rootfsTarball:
            throw ImageError.unsupportedSource(source)
        }
    }

    /// Extracts an archive into staging with the layer unpacker's containment (no whiteouts, no devices).
    private func withExtractedArchive<T>(_ archive: String, _ body: (String) throws -> T) throws -> T {
        let staging = stagingDirectory + "/archive-\(UUID().uuidString)"
        guard mkdir(staging, 0o700) == 0 else { throw ImageError.fileSystem(path: staging, operation: "mkdir", errno: errno) }
        defer { try? discardTree(staging) }
        var unpacker = LayerUnpacker(archivePath: archive, root: staging)
        unpacker.whiteouts = false
        unpacker.privileged = false
        _ = try unpacker.unpack()
        return try body(staging)
    }

    /// A file named by a document inside `base` (a layout or extracted archive): its real path must stay in
    /// `base`, so a symlink in the source cannot make us read a host file into the store.
    static func containedFile(_ base: String, _ relative: String) throws -> String {
        guard let realBase = realpath(base, nil) else { throw ImageError.fileSystem(path: base, operation: "realpath", errno: errno) }
        defer { free(realBase) }
        let basePath = String(cString: realBase)
        let candidate = base + "/" + relative
        guard let real = realpath(candidate, nil) else {
            throw ImageError.invalidContent(base, reason: "\(relative): \(String(cString: strerror(errno)))")
        }
        defer { free(real) }
        let resolved = String(cString: real)
        guard resolved.hasPrefix(basePath + "/") else {
            throw ImageError.invalidContent(base, reason: "\(relative) resolves outside the image source")
        }
        return resolved
    }

    // MARK: OCI layout

    func importLayout(_ layout: String, name: String?) throws -> [ImageRecord] {
        let indexPath = try Self.containedFile(layout, "index.json")
        guard let data = FileManager.default.contents(atPath: indexPath), data.count < 8 << 20 else {
            throw ImageError.invalidContent(layout, reason: "cannot read index.json")
        }
        let index: OCIIndex
        do { index = try JSONDecoder().decode(OCIIndex.self, from: data) } catch {
            throw ImageError.invalidContent(indexPath, reason: "\(error)")
        }
        var records: [ImageRecord] = []
        for (descriptor, reference) in try Self.chooseLayoutEntries(index.manifests, name: name, layout: layout) {
            let blob = { (digest: OCIDigest) in try Self.containedFile(layout, "blobs/sha256/" + digest.hex) }
            records.append(try ingestImage(descriptor, reference: reference) { descriptor in
                _ = try self.content.ingest(file: try blob(descriptor.digest), expected: descriptor)
            })
        }
        return records
    }

    /// Which entries of a layout's index.json to import, and under which reference.
    static func chooseLayoutEntries(
        _ entries: [OCIDescriptor], name: String?, layout: String
    ) throws -> [(OCIDescriptor, String)] {
        func refName(_ entry: OCIDescriptor) -> String? {
            entry.annotations?[OCIDescriptor.containerdNameAnnotation] ?? entry.annotations?[OCIDescriptor.refNameAnnotation]
        }
        // A ref.name without "/" or ":" is a tag only ("1", "latest"), as umoci and skopeo write it.
        func isTagOnly(_ ref: String) -> Bool { !ref.contains("/") && !ref.contains(":") && !ref.contains("@") }
        guard !entries.isEmpty else { throw ImageError.invalidContent(layout, reason: "index.json lists no images") }
        if let name {
            let lastComponent = name.split(separator: "/").last ?? ""
            let nameHasTag = lastComponent.contains(":") || name.contains("@")
            if entries.count == 1 {
                let ref = refName(entries[0])
                if !nameHasTag, let ref, isTagOnly(ref) { return [(entries[0], name + ":" + ref)] }
                return [(entries[0], name)]
            }
            let wanted = nameHasTag ? String(lastComponent.split(separator: ":").last ?? "") : "latest"
            if let match = entries.first(where: { refName($0) == wanted || refName($0) == name }) {
                return [(match, nameHasTag ? name : name + ":" + wanted)]
            }
            throw ImageError.invalidContent(
                layout, reason: "no image tagged \"\(wanted)\" (has: \(entries.compactMap(refName).joined(separator: ", ")))")
        }
        return try entries.map { entry in
            guard let ref = refName(entry), !isTagOnly(ref) else {
                throw ImageError.invalidContent(
                    layout, reason: "image \(entry.digest) has no repository name; give one with --name REPOSITORY[:TAG]")
            }
            return (entry, ref)
        }
    }

    /// The manifest a stored index lists for this host's platform; the error names what it offers instead.
    func hostManifest(inIndex digest: OCIDigest, reference normalized: String) throws -> OCIDescriptor {
        let index = try content.decode(OCIIndex.self, digest)
        let platform = OCIPlatform.host
        guard let chosen = platform.select(from: index.manifests) else {
            throw ImageError.noMatchingPlatform(
                normalized, platform: platform.description, available: index.manifests.compactMap { $0.platform?.description })
        }
        return chosen
    }

    /// Fetches (through `fetch`, which stores a blob verified against its descriptor) an image given by an
    /// index or manifest descriptor, picking the host's platform from an index, then registers it.
    func ingestImage(
        _ descriptor: OCIDescriptor, reference: String, fetch: (OCIDescriptor) throws -> Void
    ) throws -> ImageRecord {
        let normalized = try normalizeImageReference(reference)
        var extra: [OCIDigest] = []
        var manifestDescriptor = descriptor
        try fetch(descriptor)
        if OCIMediaType.isIndex(descriptor.mediaType) {
            let chosen = try hostManifest(inIndex: descriptor.digest, reference: normalized)
            extra.append(descriptor.digest)
            manifestDescriptor = chosen
            try fetch(chosen)
        } else if !OCIMediaType.isManifest(descriptor.mediaType) {
            throw ImageError.invalidContent(descriptor.digest.description, reason: "unsupported media type \(descriptor.mediaType)")
        }
        let manifest = try content.decode(OCIManifest.self, manifestDescriptor.digest)
        try fetch(manifest.config)
        for layer in manifest.layers { try fetch(layer) }
        return try registerImage(
            manifest: manifestDescriptor.digest, references: [normalized], extraBlobs: extra, target: descriptor.digest)
    }

    // MARK: docker save

    private struct DockerArchiveEntry: Decodable {
        var config: String
        var repoTags: [String]?
        var layers: [String]
        enum CodingKeys: String, CodingKey { case config = "Config", repoTags = "RepoTags", layers = "Layers" }
    }

    /// `docker save` output: manifest.json names a config file and uncompressed layer tars per image. Each is
    /// stored as a blob and an OCI manifest is written for it, so the image is like any other afterwards.
    func importDockerArchive(_ directory: String, name: String?) throws -> [ImageRecord] {
        let manifestPath = try Self.containedFile(directory, "manifest.json")
        guard let data = FileManager.default.contents(atPath: manifestPath), data.count < 8 << 20 else {
            throw ImageError.invalidContent(directory, reason: "cannot read manifest.json")
        }
        let entries: [DockerArchiveEntry]
        do { entries = try JSONDecoder().decode([DockerArchiveEntry].self, from: data) } catch {
            throw ImageError.invalidContent("manifest.json", reason: "\(error)")
        }
        if name != nil, entries.count != 1 {
            throw ImageError.invalidContent("manifest.json", reason: "--name needs an archive of exactly one image (this one has \(entries.count))")
        }
        var records: [ImageRecord] = []
        for entry in entries {
            let references = try name.map { [try normalizeImageReference($0)] }
                ?? (entry.repoTags ?? []).map { try normalizeImageReference($0) }
            guard !references.isEmpty else {
                throw ImageError.invalidContent("manifest.json", reason: "image \(entry.config) has no RepoTags; give --name")
            }
            let config = try content.ingest(file: try Self.containedFile(directory, entry.config), mediaType: OCIMediaType.config)
            var layers: [OCIDescriptor] = []
            for layer in entry.layers {
                layers.append(try content.ingest(file: try Self.containedFile(directory, layer), mediaType: OCIMediaType.layer))
            }
            let manifest = OCIManifest(schemaVersion: 2, mediaType: OCIMediaType.manifest, config: config, layers: layers)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let stored = try content.ingest(data: try encoder.encode(manifest), mediaType: OCIMediaType.manifest)
            records.append(try registerImage(manifest: stored.digest, references: references))
        }
        return records
    }
}
