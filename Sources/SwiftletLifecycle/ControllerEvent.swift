/// An event a workload controller records on its object: `type` (Normal / Warning), `reason`
/// and `message` as kube-controller-manager words them; the agent adds the component.
public struct ControllerEvent: Hashable, Sendable {
    public var type: String
    public var reason: String
    public var message: String

    public init(type: String, reason: String, message: String) {
        self.type = type
        self.reason = reason
        self.message = message
    }
}
