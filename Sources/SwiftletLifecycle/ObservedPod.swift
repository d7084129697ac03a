/// The image a container runs, as the image store resolved it.
public struct ObservedImage: Hashable, Sendable {
    /// `ContainerStatus.image`, e.g. `docker.io/library/busybox:latest`.
    public var image: String
    /// `ContainerStatus.imageID`, e.g. `sha256:…` or `docker.io/library/busybox@sha256:…`.
    public var imageID: String
    /// The image's `STOPSIGNAL` as stated in its config; nil when it names none.
    public var stopSignal: String?

    public init(image: String, imageID: String, stopSignal: String? = nil) {
        self.image = image
        self.imageID = imageID
        self.stopSignal = stopSignal
    }
}

/// Everything the runtime knows about one pod at one instant.
public struct ObservedPod: Hashable, Sendable {
    /// The pause process runs and the pod's namespaces (and network) are set up.
    public var sandboxReady: Bool
    /// Keyed by container name; init and regular containers share one name space in a pod.
    public var containers: [String: ObservedContainer]
    /// Keyed by container name.
    public var images: [String: ObservedImage]

    public init(
        sandboxReady: Bool, containers: [String: ObservedContainer] = [:], images: [String: ObservedImage] = [:]
    ) {
        self.sandboxReady = sandboxReady
        self.containers = containers
        self.images = images
    }

    public subscript(container name: String) -> ObservedContainer? { containers[name] }
}
