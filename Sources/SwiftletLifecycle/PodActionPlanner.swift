import Foundation
import SwiftletKube

/// The kubelet's `computePodActions` + `computeInitContainerActions`, with crash-loop back-off
/// (which the kubelet checks later, in `doBackOff`) folded in so the caller only acts.
public enum PodActionPlanner {
    /// - Parameters:
    ///   - backoff: per container name, the back-off window it is in (nil: may start now).
    ///     Consulted only for containers whose newest run exited.
    ///   - deleting: the pod is being torn down; a set `metadata.deletionTimestamp` means the same.
    public static func computePodActions(
        pod: Pod, observed: ObservedPod, backoff: (String) -> BackOffWindow?, deleting: Bool = false
    ) -> PodActions {
        var actions = PodActions()
        if RestartRules.isDeleting(pod, deleting: deleting) {
            actions.killPod = true
            return actions
        }
        if !observed.sandboxReady {
            planNewSandbox(pod: pod, observed: observed, into: &actions)
        } else {
            planRunningSandbox(pod: pod, observed: observed, into: &actions)
        }
        applyBackoff(observed: observed, backoff: backoff, to: &actions)
        return actions
    }

    /// The sandbox is gone (or never existed): every container died with it.
    private static func planNewSandbox(pod: Pod, observed: ObservedPod, into actions: inout PodActions) {
        actions.killPod = true
        actions.createSandbox = true
        let everRan = observed.containers.values.contains { $0.current != nil }
        // A Never pod whose sandbox died after it ran is over; do not start it again.
        if !RestartRules.restartsOnFailure(pod) && everRan {
            actions.createSandbox = false
            return
        }
        let toStart = pod.spec.containers.filter { container in
            !(RestartRules.policy(pod) == .onFailure && observed.containers[container.name]?.current?.exitCode == 0)
        }
        if toStart.isEmpty && initializationDone(pod: pod, observed: observed) {
            actions.createSandbox = false
            return
        }
        if let first = pod.spec.allInitContainers.first {
            actions.initContainersToStart = [first.name]
        } else {
            actions.containersToStart = toStart.map(\.name)
        }
    }

    private static func planRunningSandbox(pod: Pod, observed: ObservedPod, into actions: inout PodActions) {
        let initialized = planInitContainers(pod: pod, observed: observed, into: &actions)
        if actions.killPod || !initialized { return }

        var keep = 0
        for container in pod.spec.containers {
            let seen = observed.containers[container.name]
            guard let run = seen?.current, run.isRunning else {
                if RestartRules.shouldRestart(container, isSidecar: false, observed: seen, pod: pod, deleting: false) {
                    actions.containersToStart.append(container.name)
                }
                continue
            }
            guard let probe = seen?.failedProbe else {
                keep += 1
                continue
            }
            var message = "Container \(container.name) failed \(probe.rawValue) probe"
            if RestartRules.restartsOnFailure(pod) {
                message += ", will be restarted"
                actions.containersToStart.append(container.name)
            }
            actions.containersToKill.append(ContainerKill(name: container.name, message: message, probe: probe))
        }
        if keep == 0 && actions.containersToStart.isEmpty {
            // Nothing regular is left: stop the pod, sidecars included, instead of restarting them.
            actions.killPod = true
            actions.initContainersToStart = []
        }
    }

    /// `computeInitContainerActions`; returns whether the pod has been initialized.
    private static func planInitContainers(pod: Pod, observed: ObservedPod, into actions: inout PodActions) -> Bool {
        let inits = pod.spec.allInitContainers
        if inits.isEmpty { return true }
        // A regular container running now proves the init containers completed at some point,
        // even if their records are gone; only sidecars are looked after then.
        var hasInitialized = pod.spec.containers.contains { observed.containers[$0.name]?.current?.isRunning ?? false }
        var previouslyInitialized = hasInitialized
        let restartOnFailure = RestartRules.restartsOnFailure(pod)
        var starts: [Int] = []

        // Walk backwards: the last init container that ran tells how far initialization got.
        for index in inits.indices.reversed() {
            let container = inits[index]
            let seen = observed.containers[container.name]
            let isSidecar = container.isRestartableInit
            guard let run = seen?.current else {
                if previouslyInitialized && isSidecar { starts.append(index) }
                continue
            }
            if previouslyInitialized && !isSidecar { continue }

            if run.isRunning {
                if isSidecar {
                    if seen?.failedProbe == .startup {
                        actions.containersToKill.append(
                            ContainerKill(name: container.name, message: "Init container \(container.name) failed startup probe", probe: .startup))
                        starts.append(index)
                    } else if seen?.started ?? true {
                        if index == inits.count - 1 {
                            hasInitialized = true
                        } else if !previouslyInitialized {
                            starts.append(index + 1)
                        }
                        if seen?.failedProbe == .liveness {
                            actions.containersToKill.append(
                                ContainerKill(name: container.name, message: "Init container \(container.name) failed liveness probe", probe: .liveness))
                            starts.append(index)
                        }
                    }
                }
                // A running regular init container: wait for it to finish.
            } else if isSidecar {
                starts.append(index)
            } else if run.exitCode != 0 {
                if !restartOnFailure {
                    actions.killPod = true
                    actions.initContainersToStart = []
                    return false
                }
                starts.append(index)
            } else if index == inits.count - 1 {
                hasInitialized = true
            } else {
                starts.append(index + 1)
            }
            previouslyInitialized = true
        }
        if !previouslyInitialized { starts.append(0) }
        actions.initContainersToStart = starts.reversed().map { inits[$0].name }
        return hasInitialized
    }

    /// `findNextInitContainerToRun(...).done`: every regular init container completed.
    private static func initializationDone(pod: Pod, observed: ObservedPod) -> Bool {
        pod.spec.allInitContainers.allSatisfy { container in
            container.isRestartableInit || observed.containers[container.name]?.current?.exitCode == 0
        }
    }

    /// Holds back containers whose newest run exited less than their back-off delay ago.
    private static func applyBackoff(
        observed: ObservedPod, backoff: (String) -> BackOffWindow?, to actions: inout PodActions
    ) {
        func admit(_ names: [String]) -> [String] {
            names.filter { name in
                guard observed.containers[name]?.current?.exitCode != nil, let window = backoff(name) else { return true }
                actions.backingOff.append(name)
                actions.waitUntil = min(actions.waitUntil ?? window.remaining, window.remaining)
                return false
            }
        }
        actions.initContainersToStart = admit(actions.initContainersToStart)
        actions.containersToStart = admit(actions.containersToStart)
    }
}
