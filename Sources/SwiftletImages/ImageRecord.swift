import Foundation

/// One image in a store: an unpacked root filesystem plus its config, known under one or more references.
public struct ImageRecord: Codable, Sendable, Hashable {
    /// "sha256:<hex>", derived from the rootfs contents and the config, so importing the same tree twice
    /// yields the same image.
    public var id: String
    /// Normalised references ("docker.io/library/busybox:latest"), sorted.
    public var references: [String]
    /// Absolute directory holding the unpacked root filesystem. Containers must not write into it.
    public var rootfs: String
    public var config: ImageConfig
    public var created: Date
    /// Bytes of regular files in the rootfs (hard links counted once).
    public var size: Int64

    public init(id: String, references: [String], rootfs: String, config: ImageConfig, created: Date, size: Int64) {
        self.id = id
        self.references = references
        self.rootfs = rootfs
        self.config = config
        self.created = created
        self.size = size
    }
}
