import CArchive
import Foundation

/// One image in a store, known under one or more references. Either an OCI image (manifest + config +
/// layers, each layer unpacked once into its own snapshot directory) or a plain root filesystem import.
public struct ImageRecord: Codable, Sendable, Hashable {
    /// "sha256:<hex>": for OCI images the digest of the config blob (what containerd and the kubelet call
    /// the image id); for rootfs imports derived from the tree contents and the config.
    public var id: String
    /// Normalised references ("docker.io/library/busybox:latest"), sorted.
    public var references: [String]
    /// Rootfs imports: the unpacked root filesystem. OCI images: empty (see `layers`).
    public var rootfs: String
    public var config: ImageConfig
    public var created: Date
    /// OCI images: the compressed size of manifest, config and layers; rootfs imports: bytes of regular files.
    public var size: Int64
    /// OCI images: snapshot directories, lowest layer first.
    public var layers: [String]?
    /// OCI images: the manifest this image was imported or pulled as.
    public var manifestDigest: String?
    /// OCI images: every blob the image holds (index, manifest, config, layers), for garbage collection.
    public var blobs: [String]?
    /// "repository@sha256:…" per repository the image came from (the kubelet's imageID).
    public var repoDigests: [String]?
    /// True when the image came from a registry pull (rather than `swiftlet images import`): only such images
    /// are refreshed by `imagePullPolicy: Always` (see Docs/images.md).
    public var pulled: Bool?

    public init(id: String, references: [String], rootfs: String, config: ImageConfig, created: Date, size: Int64) {
        self.id = id
        self.references = references
        self.rootfs = rootfs
        self.config = config
        self.created = created
        self.size = size
    }

    /// `ContainerStatus.imageID` as containerd reports it to the kubelet: the repo digest of the repository
    /// the container named ("docker.io/library/busybox@sha256:<manifest>"), else any repo digest, else the id.
    public func statusImageID(for reference: String) -> String {
        let repository = try? ImageReference(parsing: reference).name
        let digests = repoDigests ?? []
        return digests.first { $0.hasPrefix((repository ?? "") + "@") } ?? digests.first ?? id
    }

    /// overlayfs `lowerdir` order: topmost layer first.
    public var lowerDirectories: [String] {
        if let layers { return layers.reversed() }
        return [rootfs]
    }

    /// The host path of a file of the image (e.g. "/etc/passwd") as a container would see it, honouring
    /// overlay whiteouts and opaque directories; nil when the image has no such file.
    public func locate(_ path: String) -> String? {
        let parts = path.split(separator: "/").map(String.init)
        guard !parts.isEmpty, !parts.contains("..") else { return nil }
        for layer in lowerDirectories {
            var current = layer
            var hidden = false
            for (index, part) in parts.enumerated() {
                current += "/" + part
                var info = stat()
                guard lstat(current, &info) == 0 else { break }
                let type = info.st_mode & S_IFMT
                if type == S_IFCHR && info.st_rdev == 0 { hidden = true; break }  // whiteout
                if index == parts.count - 1 { return type == S_IFREG ? current : nil }
                guard type == S_IFDIR else { hidden = true; break }
                var flag = [CChar](repeating: 0, count: 2)
                if getxattr(current, "trusted.overlay.opaque", &flag, 1) == 1, flag[0] == 0x79 {
                    // An opaque directory hides the same directory of lower layers.
                    let rest = current + "/" + parts[(index + 1)...].joined(separator: "/")
                    var restInfo = stat()
                    if lstat(rest, &restInfo) == 0, restInfo.st_mode & S_IFMT == S_IFREG { return rest }
                    hidden = true
                    break
                }
            }
            if hidden { return nil }
        }
        return nil
    }
}
