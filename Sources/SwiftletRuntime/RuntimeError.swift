/// Why the runtime could not do what was asked, with the kubelet's reason where one applies.
public struct RuntimeError: Error, CustomStringConvertible, Sendable {
    /// The kubelet reason this maps to: `CreatePodSandboxError`, `ErrImageNeverPull`, `ErrImagePull`,
    /// `InvalidImageName`, `CreateContainerError`, `CreateContainerConfigError`, `RunContainerError`.
    public var reason: String
    public var message: String

    public init(_ reason: String, _ message: String) {
        self.reason = reason
        self.message = message
    }

    public var description: String { message }
}
