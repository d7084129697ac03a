import Foundation
import SwiftletKube

/// The kubelet's OS checks at admission (`pkg/kubelet/lifecycle/predicate.go`), run before the
/// resource fit because no eviction could help: a pod labelled `kubernetes.io/os` for another OS
/// (the node's label is always its own OS, `linux`), or whose `spec.os.name` is not the node's.
/// Both rejections fail the pod for good (see `AdmissionRejection`).
public func admitPodOS(pod: Pod) -> (admitted: Bool, reason: String?, message: String?) {
    if let label = pod.metadata.labels?["kubernetes.io/os"], label != PodOS.linux {
        return (
            false, "PodOSSelectorNodeLabelDoesNotMatch",
            "Failed to admit pod as the `kubernetes.io/os` label doesn't match node label"
        )
    }
    if let os = pod.spec.os?.name, os != PodOS.linux {
        return (false, "PodOSNotSupported", "Failed to admit pod as the OS field doesn't match node OS")
    }
    return (true, nil, nil)
}

/// What becomes of a pod that admission rejected. The kubelet's `rejectPod` fails every one for
/// good: phase Failed, the rejection's reason, `Pod was rejected: <message>` as the status message
/// and a warning event with the bare message. swiftlet does the same except for a shortage that
/// goes away by itself on a one-node host (cpu/memory, host ports): such a pod waits `Pending`
/// with the same reason and message and starts once it fits (Docs/limits.md).
public enum AdmissionRejection {
    /// The rejection reasons after which the pod waits instead of failing.
    public static func waits(reason: String) -> Bool {
        reason.hasPrefix("OutOf") || reason == "NodePorts"
    }

    /// The pod status message of a rejection (`rejectPod`'s prefix).
    public static func statusMessage(_ message: String) -> String { statusMessagePrefix + message }

    static let statusMessagePrefix = "Pod was rejected: "

    /// The reason and bare message of a status `rejectedPodStatus` made (a restarted agent reads
    /// the final status back and keeps the pod rejected); nil for any other status.
    public static func rejection(in status: PodStatus) -> (reason: String, message: String)? {
        guard status.phase == .failed, status.containerStatuses == nil, let reason = status.reason,
            let message = status.message, message.hasPrefix(statusMessagePrefix)
        else { return nil }
        return (reason, String(message.dropFirst(statusMessagePrefix.count)))
    }
}

extension PodStatusComputer {
    /// The status the kubelet's `rejectPod` sets for a pod admission rejected: phase Failed, the
    /// rejection's reason, `Pod was rejected: <message>` and the QoS class, nothing else: the pod
    /// never gets a worker, so no container statuses or kubelet conditions are generated. The
    /// status manager adds a `startTime`; `PodScheduled` stays as the scheduler (here: the node
    /// agent itself) set it.
    public static func rejectedPodStatus(
        pod: Pod, reason: String, message: String, previous: PodStatus?, now: Date
    ) -> PodStatus {
        var status = PodStatus(phase: .failed)
        status.reason = reason
        status.message = AdmissionRejection.statusMessage(message)
        status.qosClass = podQOSClass(pod).rawValue
        status.startTime = previous?.startTime ?? pod.status?.startTime ?? KubeTime(now)
        let scheduled = [PodCondition(type: .podScheduled, status: .true)]
        status.conditions = PodConditions.carryTransitionTimes(scheduled, previous: previous?.conditions, now: now)
        return status
    }
}
