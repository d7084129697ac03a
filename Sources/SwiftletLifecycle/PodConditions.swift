import Foundation
import SwiftletKube

/// The kubelet-owned pod conditions (`pkg/kubelet/status/generate.go`), without transition times.
public enum PodConditions {
    public static let unknownContainerStatuses = "UnknownContainerStatuses"
    public static let podCompleted = "PodCompleted"
    public static let podFailed = "PodFailed"
    public static let containersNotReady = "ContainersNotReady"
    public static let containersNotInitialized = "ContainersNotInitialized"

    /// In the order `generateAPIPodStatus` appends them: PodReadyToStartContainers, Initialized,
    /// Ready, ContainersReady, PodScheduled.
    public static func generate(
        pod: Pod, sandboxReady: Bool, initContainerStatuses: [ContainerStatus],
        containerStatuses: [ContainerStatus], phase: PodPhase
    ) -> [PodCondition] {
        let all = initContainerStatuses + containerStatuses
        let containersReady = containersReady(pod: pod, statuses: all, phase: phase)
        var ready = containersReady
        ready.type = .ready
        return [
            PodCondition(type: .podReadyToStartContainers, status: sandboxReady ? .true : .false),
            initialized(pod: pod, statuses: all, phase: phase),
            ready,
            containersReady,
            PodCondition(type: .podScheduled, status: .true),
        ]
    }

    /// `GenerateContainersReadyCondition`: every sidecar and every regular container is ready.
    public static func containersReady(pod: Pod, statuses: [ContainerStatus], phase: PodPhase) -> PodCondition {
        var unknown: [String] = []
        var unready: [String] = []
        let checked = pod.spec.allInitContainers.filter(\.isRestartableInit) + pod.spec.containers
        for container in checked {
            if let s = statuses.first(where: { $0.name == container.name }) {
                if !s.ready { unready.append(container.name) }
            } else {
                unknown.append(container.name)
            }
        }
        if phase == .succeeded && unknown.isEmpty {
            return PodCondition(type: .containersReady, status: .false, reason: podCompleted)
        }
        if phase == .failed {
            return PodCondition(type: .containersReady, status: .false, reason: podFailed)
        }
        var messages: [String] = []
        if !unknown.isEmpty { messages.append("containers with unknown status: \(goList(unknown))") }
        if !unready.isEmpty { messages.append("containers with unready status: \(goList(unready))") }
        if !messages.isEmpty {
            return PodCondition(
                type: .containersReady, status: .false, reason: containersNotReady,
                message: messages.joined(separator: ", "))
        }
        return PodCondition(type: .containersReady, status: .true)
    }

    /// `GeneratePodInitializedCondition`: regular init containers completed, sidecars started.
    public static func initialized(pod: Pod, statuses: [ContainerStatus], phase: PodPhase) -> PodCondition {
        var unknown: [String] = []
        var incomplete: [String] = []
        for container in pod.spec.allInitContainers {
            guard let s = statuses.first(where: { $0.name == container.name }) else {
                unknown.append(container.name)
                continue
            }
            let done = container.isRestartableInit ? s.started == true : s.ready
            if !done { incomplete.append(container.name) }
        }
        if phase == .succeeded && unknown.isEmpty {
            return PodCondition(type: .initialized, status: .true, reason: podCompleted)
        }
        // Once a regular container ran, the pod stays initialized while sidecars restart.
        let regularNames = Set(pod.spec.containers.map(\.name))
        let anyRegularStarted = statuses.contains {
            regularNames.contains($0.name) && ($0.state.running != nil || $0.state.terminated != nil)
        }
        if anyRegularStarted { return PodCondition(type: .initialized, status: .true) }
        var messages: [String] = []
        if !unknown.isEmpty { messages.append("containers with unknown status: \(goList(unknown))") }
        if !incomplete.isEmpty { messages.append("containers with incomplete status: \(goList(incomplete))") }
        if !messages.isEmpty {
            return PodCondition(
                type: .initialized, status: .false, reason: containersNotInitialized,
                message: messages.joined(separator: ", "))
        }
        return PodCondition(type: .initialized, status: .true)
    }

    /// Keeps `lastTransitionTime` from the previous condition of the same type when its status
    /// did not change (the status manager's rule); otherwise the transition happened `now`.
    public static func carryTransitionTimes(_ conditions: [PodCondition], previous: [PodCondition]?, now: Date) -> [PodCondition] {
        conditions.map { condition in
            var c = condition
            if let old = previous?.first(where: { $0.type == c.type }), old.status == c.status,
                let time = old.lastTransitionTime
            {
                c.lastTransitionTime = time
            } else {
                c.lastTransitionTime = KubeTime(now)
            }
            return c
        }
    }

    /// Go's `%s` of a `[]string`: `[a b]`.
    static func goList(_ names: [String]) -> String { "[" + names.joined(separator: " ") + "]" }
}
