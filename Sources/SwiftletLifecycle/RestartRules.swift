import SwiftletKube

/// The kubelet's restart decisions, shared by the status computer and the planner.
enum RestartRules {
    /// An unset pod `restartPolicy` means `Always` (API defaulting).
    static func policy(_ pod: Pod) -> RestartPolicy { pod.spec.restartPolicy ?? .always }

    /// `shouldRestartOnFailure`: anything but `Never`.
    static func restartsOnFailure(_ pod: Pod) -> Bool { policy(pod) != .never }

    /// `format.Pod`: `<name>_<namespace>(<uid>)`.
    static func podFullName(_ pod: Pod) -> String { "\(pod.name)_\(pod.namespace)(\(pod.uid))" }

    /// `ShouldContainerBeRestarted` for regular containers and sidecars.
    ///
    /// Sidecars follow their own `restartPolicy: Always` whatever the pod's policy (as the kubelet
    /// does with per-container restart policies), so an exited sidecar is always restarted while
    /// the pod is not being deleted.
    static func shouldRestart(
        _ container: Container, isSidecar: Bool, observed: ObservedContainer?, pod: Pod, deleting: Bool
    ) -> Bool {
        if deleting { return false }
        guard let run = observed?.current else { return true }
        guard let exitCode = run.exitCode else { return false }
        if isSidecar { return true }
        switch policy(pod) {
        case .never: return false
        case .onFailure: return exitCode != 0
        case .always: return true
        }
    }

    static func isDeleting(_ pod: Pod, deleting: Bool) -> Bool {
        deleting || pod.metadata.deletionTimestamp != nil
    }
}

extension PodSpec {
    var allInitContainers: [Container] { initContainers ?? [] }
}
