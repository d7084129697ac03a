import SwiftletKube

/// The kubelet's `getPhase`: the phase as a pure function of the spec and the API container
/// statuses (classic path, without per-container restart rules).
///
/// One deliberate difference: the kubelet never gives a *static* pod a terminal phase when it is
/// being terminated (its `TODO(#116484)`), so a deleted static pod with `restartPolicy: Always`
/// stays Running. Here every pod, static or not, reaches Succeeded/Failed when `podIsTerminal`,
/// because on a node without an API server static pods are the main workload and a run-once
/// static pod must be able to say it finished.
public enum PodPhaseRules {
    /// - Parameters:
    ///   - podIsTerminal: the pod is being torn down (deleted, or it finished) so nothing restarts.
    ///   - podHasInitialized: some regular container is running now (`HasAnyActiveRegularContainerStarted`).
    public static func phase(
        pod: Pod, initContainerStatuses: [ContainerStatus], containerStatuses: [ContainerStatus],
        podIsTerminal: Bool, podHasInitialized: Bool
    ) -> PodPhase {
        let spec = pod.spec
        let policy = RestartRules.policy(pod)
        let all = initContainerStatuses + containerStatuses
        func status(_ name: String) -> ContainerStatus? { all.first { $0.name == name } }

        var pendingRegularInit = 0
        var failedInit = 0
        var pendingSidecar = 0
        for container in spec.allInitContainers where !container.isRestartableInit {
            guard let s = status(container.name) else {
                pendingRegularInit += 1
                continue
            }
            if s.state.running != nil {
                pendingRegularInit += 1
            } else if let terminated = s.state.terminated {
                if terminated.exitCode != 0 { failedInit += 1 }
            } else if s.state.waiting != nil {
                if let last = s.lastState.terminated {
                    if last.exitCode != 0 { failedInit += 1 }
                } else {
                    pendingRegularInit += 1
                }
            } else {
                pendingRegularInit += 1
            }
        }

        var unknown = 0, running = 0, waiting = 0, stopped = 0, succeeded = 0
        for container in spec.allInitContainers where container.isRestartableInit {
            guard let s = status(container.name) else {
                unknown += 1
                continue
            }
            if s.state.running != nil {
                if s.started != true { pendingSidecar += 1 }
                running += 1
            } else if s.state.terminated != nil {
                // An exited sidecar never decides the phase.
            } else if s.state.waiting != nil {
                if s.lastState.terminated == nil {
                    pendingSidecar += 1
                    waiting += 1
                }
            } else {
                pendingSidecar += 1
                unknown += 1
            }
        }

        for container in spec.containers {
            guard let s = status(container.name) else {
                unknown += 1
                continue
            }
            if s.state.running != nil {
                running += 1
            } else if let terminated = s.state.terminated {
                stopped += 1
                if terminated.exitCode == 0 { succeeded += 1 }
            } else if s.state.waiting != nil {
                // Waiting after a run (CrashLoopBackOff) is stopped, not waiting.
                if s.lastState.terminated != nil { stopped += 1 } else { waiting += 1 }
            } else {
                unknown += 1
            }
        }

        if failedInit > 0 && policy == .never { return .failed }
        if pendingRegularInit > 0 || (pendingSidecar > 0 && !podHasInitialized) || waiting > 0 { return .pending }
        if running > 0 && unknown == 0 { return .running }
        if running == 0 && stopped > 0 && unknown == 0 {
            if podIsTerminal { return stopped == succeeded ? .succeeded : .failed }
            if policy == .always { return .running }
            if stopped == succeeded { return .succeeded }
            if policy == .never { return .failed }
            return .running
        }
        return .pending
    }
}
