/// Where the runtime finds images by reference (`LocalImageStore`: OCI blobs + layer snapshots, and plain
/// root filesystem imports).
///
/// References given to any member may be in any spelling that normalises to the same reference
/// (`busybox`, `busybox:latest`, `docker.io/library/busybox:latest`); a full image id ("sha256:<hex>") is
/// accepted by `resolve` and `remove` too.
public protocol ImageStore: Sendable {
    /// The image a reference names, or nil when it is not present.
    func resolve(_ reference: String) throws -> ImageRecord?
    func list() throws -> [ImageRecord]
    /// Imports a root filesystem directory or tarball (.tar, .tar.gz, .tgz) and tags it `reference`.
    /// The reference moves off any image that held it before.
    func importRootfs(from path: String, reference: String, config: ImageConfig) throws -> ImageRecord
    /// Removes the reference; the image (and its rootfs) goes when no reference is left. An image id removes
    /// the image with all its references.
    func remove(_ reference: String) throws
    /// Image garbage collection (see `ImageGCPolicy`); returns the images removed.
    func collectImages(policy: ImageGCPolicy, inUse: Set<String>) throws -> [ImageRecord]
    /// Pulls a reference from its registry (see `LocalImageStore.pull`).
    func pull(
        _ reference: String, registry: RegistryConfiguration, credential: RegistryCredential?,
        progress: (@Sendable (PullProgress) -> Void)?
    ) async throws -> ImageRecord
}
