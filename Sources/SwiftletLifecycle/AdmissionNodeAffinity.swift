import SwiftletKube

/// The scheduler's NodeAffinity filter, which the kubelet re-runs at admission
/// (`GeneralPredicates` → `PodMatchesNodeSelectorAndAffinityTerms`): a pod whose `nodeSelector`
/// or required node affinity does not match this node's labels is rejected (phase Failed).
public func admitNodeAffinity(pod: Pod, node: NodeIdentity) -> (admitted: Bool, reason: String?, message: String?) {
    guard !pod.spec.matchesNode(node) else { return (true, nil, nil) }
    return (false, "NodeAffinity", "Predicate NodeAffinity failed: node(s) didn't match Pod's node affinity/selector")
}

/// `flowcontrol.Backoff` as the DaemonSet controller uses it for failed pods: the first failed
/// pod is deleted at once, each further one waits 1 s, then twice as long, up to 15 min; a quiet
/// period of twice the maximum starts over.
public struct FailedPodBackoff: Hashable, Sendable {
    public static let initial: Double = 1
    public static let maximum: Double = 900

    public var delay: Double = 0
    public var lastUpdate: Double = 0

    public init() {}

    /// `IsInBackOffSinceUpdate`.
    public func inBackoff(now: Double) -> Bool { delay > 0 && now - lastUpdate < delay }

    /// `Next`: the back-off after another failed pod was deleted at `now`.
    public mutating func next(now: Double) {
        if delay == 0 || now - lastUpdate > 2 * Self.maximum {
            delay = Self.initial
        } else {
            delay = min(delay * 2, Self.maximum)
        }
        lastUpdate = now
    }
}
