import Foundation
import SwiftletKube

/// `PodStatusComputer.computePodStatus` as a free function, the shape the agent calls.
public func computePodStatus(
    pod: Pod, observed: ObservedPod, previous: PodStatus?, backoff: (String) -> BackOffWindow?,
    deleting: Bool = false, now: Date
) -> PodStatus {
    PodStatusComputer.computePodStatus(
        pod: pod, observed: observed, previous: previous, backoff: backoff, deleting: deleting, now: now)
}

/// `PodActionPlanner.computePodActions` as a free function, the shape the agent calls.
public func computePodActions(
    pod: Pod, observed: ObservedPod, backoff: (String) -> BackOffWindow?, deleting: Bool = false
) -> PodActions {
    PodActionPlanner.computePodActions(pod: pod, observed: observed, backoff: backoff, deleting: deleting)
}
