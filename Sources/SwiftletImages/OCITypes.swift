/// The OCI image-spec (and Docker v2 schema 2) documents the store reads: descriptors, manifests, indexes
/// and the image config. Unknown fields are ignored, as the spec asks of consumers.
public enum OCIMediaType {
    public static let index = "application/vnd.oci.image.index.v1+json"
    public static let manifest = "application/vnd.oci.image.manifest.v1+json"
    public static let config = "application/vnd.oci.image.config.v1+json"
    public static let layer = "application/vnd.oci.image.layer.v1.tar"
    public static let dockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json"
    public static let dockerManifest = "application/vnd.docker.distribution.manifest.v2+json"
    public static let dockerConfig = "application/vnd.docker.container.image.v1+json"

    static func isIndex(_ type: String?) -> Bool { type == index || type == dockerManifestList }
    static func isManifest(_ type: String?) -> Bool { type == manifest || type == dockerManifest }

    /// Layer types this store unpacks: OCI tar (+gzip, +zstd) and their Docker spellings, including the
    /// "non-distributable" variants when their blob is present. Compression is sniffed by libarchive.
    static func isLayer(_ type: String) -> Bool {
        type.hasPrefix("application/vnd.oci.image.layer.")
            || type.hasPrefix("application/vnd.docker.image.rootfs.")
    }
}

public struct OCIPlatform: Codable, Sendable, Hashable, CustomStringConvertible {
    public var architecture: String
    public var os: String
    public var variant: String?

    public init(architecture: String, os: String, variant: String? = nil) {
        self.architecture = architecture
        self.os = os
        self.variant = variant
    }

    public var description: String { os + "/" + architecture + (variant.map { "/" + $0 } ?? "") }
}

public struct OCIDescriptor: Codable, Sendable, Hashable {
    public var mediaType: String
    public var digest: OCIDigest
    public var size: Int64
    public var platform: OCIPlatform?
    public var annotations: [String: String]?

    public init(mediaType: String, digest: OCIDigest, size: Int64, platform: OCIPlatform? = nil,
                annotations: [String: String]? = nil) {
        self.mediaType = mediaType
        self.digest = digest
        self.size = size
        self.platform = platform
        self.annotations = annotations
    }

    static let refNameAnnotation = "org.opencontainers.image.ref.name"
    static let containerdNameAnnotation = "io.containerd.image.name"
}

/// An image manifest (OCI or Docker v2 schema 2: the same shape).
public struct OCIManifest: Codable, Sendable, Hashable {
    public var schemaVersion: Int
    public var mediaType: String?
    public var config: OCIDescriptor
    public var layers: [OCIDescriptor]
}

/// An image index / Docker manifest list; also the `index.json` of an OCI layout.
public struct OCIIndex: Codable, Sendable, Hashable {
    public var schemaVersion: Int
    public var mediaType: String?
    public var manifests: [OCIDescriptor]
}

/// The image config blob: only the fields that decide how a container runs and what its layers are.
public struct OCIImageConfigFile: Codable, Sendable, Hashable {
    public var architecture: String?
    public var os: String?
    public var variant: String?
    public var config: Execution?
    public var rootfs: RootFS?

    public struct Execution: Codable, Sendable, Hashable {
        public var user: String?
        public var env: [String]?
        public var entrypoint: [String]?
        public var cmd: [String]?
        public var workingDir: String?
        public var stopSignal: String?

        enum CodingKeys: String, CodingKey {
            case user = "User", env = "Env", entrypoint = "Entrypoint", cmd = "Cmd", workingDir = "WorkingDir"
            case stopSignal = "StopSignal"
        }
    }

    public struct RootFS: Codable, Sendable, Hashable {
        public var type: String
        public var diffIDs: [String]

        enum CodingKeys: String, CodingKey {
            case type, diffIDs = "diff_ids"
        }
    }

    /// The part the runtime applies (see `ContainerCommand`): empty strings and arrays mean "unset".
    var imageConfig: ImageConfig {
        ImageConfig(
            entrypoint: config?.entrypoint, cmd: config?.cmd, env: config?.env,
            workingDir: config?.workingDir.flatMap { $0.isEmpty ? nil : $0 },
            user: config?.user.flatMap { $0.isEmpty ? nil : $0 },
            stopSignal: config?.stopSignal.flatMap { $0.isEmpty ? nil : $0 })
    }
}
