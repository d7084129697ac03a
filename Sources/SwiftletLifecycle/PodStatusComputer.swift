import Foundation
import SwiftletKube

/// The kubelet's `generateAPIPodStatus` as a pure function.
public enum PodStatusComputer {
    /// Computes the API status of `pod` from what the runtime observed.
    ///
    /// - Parameters:
    ///   - previous: the status last computed for this pod (nil on first sight); it keeps condition
    ///     transition times, `startTime`, terminal phases and the statuses of containers the runtime
    ///     no longer knows.
    ///   - backoff: per container name, the crash-loop back-off window the container is in (nil when
    ///     it may restart now). Consulted only for containers whose newest run exited.
    ///   - deleting: the pod is being torn down, so nothing restarts and the phase may become terminal.
    ///     A set `metadata.deletionTimestamp` means the same.
    ///   - now: the time stamped on new transitions and on a first `startTime`.
    public static func computePodStatus(
        pod: Pod, observed: ObservedPod, previous: PodStatus?,
        backoff: (String) -> BackOffWindow?, deleting: Bool = false, now: Date
    ) -> PodStatus {
        let deleting = RestartRules.isDeleting(pod, deleting: deleting)
        // Ask only about containers that exited: back-off is measured from an exit.
        var windows: [String: BackOffWindow] = [:]
        for (name, container) in observed.containers where container.current?.exitCode != nil {
            windows[name] = backoff(name)
        }
        let builder = ContainerStatusBuilder(
            pod: pod, observed: observed, previous: previous, backoffWindows: windows, deleting: deleting)
        let initStatuses = builder.initContainerStatuses()
        let statuses = builder.containerStatuses()

        let hasInitialized = pod.spec.containers.contains { observed.containers[$0.name]?.current?.isRunning ?? false }
        var phase = PodPhaseRules.phase(
            pod: pod, initContainerStatuses: initStatuses, containerStatuses: statuses,
            podIsTerminal: deleting, podHasInitialized: hasInitialized)
        // Terminal phases are final: a finished pod never runs again.
        if !phase.isTerminal {
            if let old = previous?.phase, old.isTerminal {
                phase = old
            } else if let api = pod.status?.phase, api.isTerminal {
                phase = api
            }
        }

        var status = PodStatus(phase: phase)
        if phase == previous?.phase {
            status.reason = previous?.reason
            status.message = previous?.message
        }
        status.initContainerStatuses = initStatuses.isEmpty ? nil : initStatuses
        status.containerStatuses = statuses
        status.startTime = previous?.startTime ?? pod.status?.startTime ?? KubeTime(now)
        status.hostIP = previous?.hostIP
        status.hostIPs = previous?.hostIPs
        status.podIP = previous?.podIP
        status.podIPs = previous?.podIPs
        status.qosClass = previous?.qosClass
        let conditions = PodConditions.generate(
            pod: pod, sandboxReady: observed.sandboxReady, initContainerStatuses: initStatuses,
            containerStatuses: statuses, phase: phase)
        status.conditions = PodConditions.carryTransitionTimes(conditions, previous: previous?.conditions, now: now)
        return status
    }
}
