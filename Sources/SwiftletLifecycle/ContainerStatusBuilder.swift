import Foundation
import SwiftletKube

/// Builds `initContainerStatuses` / `containerStatuses` the way the kubelet's
/// `convertToAPIContainerStatuses` and the prober's `UpdatePodStatus` do.
struct ContainerStatusBuilder {
    let pod: Pod
    let observed: ObservedPod
    let previous: PodStatus?
    let backoffWindows: [String: BackOffWindow]
    let deleting: Bool

    static let containerCreating = "ContainerCreating"
    static let podInitializing = "PodInitializing"
    static let crashLoopBackOff = "CrashLoopBackOff"
    static let statusUnknown = "ContainerStatusUnknown"

    var hasInitContainers: Bool { !pod.spec.allInitContainers.isEmpty }

    func initContainerStatuses() -> [ContainerStatus] {
        let old = previous?.initContainerStatuses ?? []
        return pod.spec.allInitContainers.map { status(for: $0, isInit: true, oldStatuses: old) }
    }

    func containerStatuses() -> [ContainerStatus] {
        let old = previous?.containerStatuses ?? []
        return pod.spec.containers.map { status(for: $0, isInit: false, oldStatuses: old) }
    }

    private func status(for container: Container, isInit: Bool, oldStatuses: [ContainerStatus]) -> ContainerStatus {
        let seen = observed.containers[container.name]
        let old = oldStatuses.first { $0.name == container.name }
        let isSidecar = isInit && container.isRestartableInit
        var status = runtimeStatus(container, seen: seen, old: old)
        applyRestartReason(&status, container, seen: seen, isInit: isInit, isSidecar: isSidecar)
        applyProbes(&status, seen: seen, isInit: isInit, isSidecar: isSidecar)
        return status
    }

    /// The state from the two newest runs, or a default when the runtime has none.
    private func runtimeStatus(_ container: Container, seen: ObservedContainer?, old: ContainerStatus?) -> ContainerStatus {
        guard let current = seen?.current else { return defaultStatus(container, old: old) }
        let image = observed.images[container.name]
        var status = ContainerStatus(
            name: container.name, state: Self.state(of: current),
            restartCount: Int32(clamping: current.attempt),
            image: image?.image ?? container.image ?? "", imageID: image?.imageID ?? "",
            containerID: current.containerID)
        // Like containerd, only a container the runtime has reports the signal it stops it with.
        status.stopSignal = container.effectiveStopSignal(imageStopSignal: image?.stopSignal)
        if let previousRun = seen?.previous { status.lastState = Self.state(of: previousRun) }
        return status
    }

    private func defaultStatus(_ container: Container, old: ContainerStatus?) -> ContainerStatus {
        let reason = hasInitContainers ? Self.podInitializing : Self.containerCreating
        var status = ContainerStatus(name: container.name, state: .waiting(reason), image: container.image ?? "")
        guard let old else { return status }
        // A terminated status outlives the runtime's record of it: the exit code is still true.
        if old.state.terminated != nil { return old }
        status.restartCount = old.restartCount
        status.lastState = old.lastState
        // It was running and vanished: report it as stopped, not as never started, so the pod
        // does not fall back to Pending (and a run-once container is not run twice).
        if old.state.running != nil, status.lastState.terminated == nil {
            status.lastState = ContainerState(
                terminated: ContainerStateTerminated(
                    exitCode: 137, reason: Self.statusUnknown,
                    message: "The container could not be located when the pod was deleted.  The container used to be Running"))
            if !deleting { status.restartCount += 1 }
        }
        return status
    }

    /// A container that will be restarted shows why it is not running yet: crash-loop back-off
    /// or the last start failure; the exit it restarts from moves to `lastState`.
    private func applyRestartReason(
        _ status: inout ContainerStatus, _ container: Container, seen: ObservedContainer?, isInit: Bool, isSidecar: Bool
    ) {
        if isInit {
            if let run = seen?.current, run.exitCode == 0 { return }
            if seen?.current == nil, !isSidecar, anyRegularContainerCreated, status.state.waiting != nil {
                status.state = ContainerState(
                    terminated: ContainerStateTerminated(
                        exitCode: 0, reason: "Completed",
                        message: "Unable to get init container status from container runtime and pod has been initialized, treat it as exited normally"))
                return
            }
        }
        guard RestartRules.shouldRestart(container, isSidecar: isSidecar, observed: seen, pod: pod, deleting: deleting)
        else { return }
        let waiting: ContainerStateWaiting
        if seen?.current?.exitCode != nil, let window = backoffWindows[container.name] {
            waiting = ContainerStateWaiting(
                reason: Self.crashLoopBackOff,
                message: "back-off \(GoDuration.format(window.delay)) restarting failed container=\(container.name) pod=\(RestartRules.podFullName(pod))")
        } else if let failure = seen?.lastStartFailure {
            waiting = ContainerStateWaiting(reason: failure.reason, message: failure.message)
        } else {
            return
        }
        if status.state.terminated != nil { status.lastState = status.state }
        status.state = ContainerState(waiting: waiting)
    }

    /// `started` and `ready` as the prober manager sets them.
    private func applyProbes(_ status: inout ContainerStatus, seen: ObservedContainer?, isInit: Bool, isSidecar: Bool) {
        let started = status.state.running != nil && (seen?.started ?? true)
        status.started = started
        if isInit && !isSidecar {
            status.ready = status.state.terminated?.exitCode == 0
        } else {
            status.ready = started && (seen?.ready ?? true)
        }
    }

    private var anyRegularContainerCreated: Bool {
        pod.spec.containers.contains { observed.containers[$0.name]?.current != nil }
    }

    static func state(of run: ContainerRun) -> ContainerState {
        let startedAt = run.startedAt.map(KubeTime.init)
        switch run.state {
        case .running:
            return ContainerState(running: ContainerStateRunning(startedAt: startedAt))
        case .exited(let code, let signal, let finishedAt, let reason, let message):
            return ContainerState(
                terminated: ContainerStateTerminated(
                    exitCode: code, signal: signal, reason: reason ?? (code == 0 ? "Completed" : "Error"),
                    message: message, startedAt: startedAt, finishedAt: KubeTime(finishedAt),
                    containerID: run.containerID))
        }
    }
}
