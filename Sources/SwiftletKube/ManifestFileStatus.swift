/// What the static-pod source made of one manifest file, served at
/// `GET /apis/swiftlet.dev/v1/manifests` so an operator can see why a file did not start a pod.
public struct ManifestFileStatus: Codable, Hashable, Sendable {
    /// `Loaded`, `Invalid`, `Ignored` or `Conflict` (a pod name already claimed by another file or the API).
    public var path: String
    public var state: String
    /// `namespace/name` of every pod the file defines.
    public var pods: [String]
    public var error: String?
    public var lastModified: KubeTime?

    public init(path: String, state: String, pods: [String] = [], error: String? = nil, lastModified: KubeTime? = nil) {
        self.path = path
        self.state = state
        self.pods = pods
        self.error = error
        self.lastModified = lastModified
    }
}

/// The list shape for `ManifestFileStatus`, following the Kubernetes list convention.
public struct ManifestFileList: Codable, Hashable, Sendable {
    public var apiVersion: String = "swiftlet.dev/v1"
    public var kind: String = "ManifestFileList"
    public var metadata: ListMeta = ListMeta()
    public var items: [ManifestFileStatus]

    public init(items: [ManifestFileStatus]) { self.items = items }
}
