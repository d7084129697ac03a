import SwiftletKube

/// Where `logs -f` stands with one attempt of a container, from the pod's published status: keep
/// polling the attempt's file, move on to the next attempt's, or stop. The kubelet's follow ends
/// with the container it started on; swiftlet follows the container's restarts until it stops
/// for good (Docs/api.md).
public enum LogFollow {
    public enum State: Equatable, Sendable {
        /// The attempt is running.
        case writing
        /// The attempt has ended (or not started) and the container may still start it / the next one.
        case waiting
        /// A later attempt has started.
        case restarted
        /// The attempt has ended and no other follows.
        case done
    }

    /// `attempt` is the restart count of the run being followed (its log is `<attempt>.log`).
    public static func state(pod: Pod, status: PodStatus?, container: String, attempt: Int, podGone: Bool) -> State {
        if podGone { return .done }
        let statuses = (status?.initContainerStatuses ?? []) + (status?.containerStatuses ?? [])
        guard let s = statuses.first(where: { $0.name == container }) else { return .done }
        let restarts = Int(s.restartCount)
        if restarts > attempt { return .restarted }
        if s.state.running != nil { return restarts == attempt ? .writing : .waiting }
        if restarts < attempt { return .waiting }
        // The attempt followed is the newest one and it is not running.
        guard let ended = s.state.terminated ?? s.lastState.terminated else { return .waiting }
        if status?.phase?.isTerminal == true || pod.metadata.deletionTimestamp != nil { return .done }
        let spec = (pod.spec.initContainers ?? []).first { $0.name == container }
        let isInit = spec != nil
        if spec?.isRestartableInit == true { return .waiting }
        let failed = ended.exitCode != 0
        switch pod.spec.restartPolicy ?? .always {
        case .never: return .done
        case .onFailure: return failed ? .waiting : .done
        case .always: return isInit && !failed ? .done : .waiting
        }
    }
}
