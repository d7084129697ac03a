import Foundation
import SwiftletKube

@testable import SwiftletLifecycle

let t0 = Date(timeIntervalSince1970: 1_800_000_000)

func at(_ seconds: TimeInterval) -> Date { t0.addingTimeInterval(seconds) }

func makePod(
    containers: [String] = ["app"], initContainers: [String] = [], sidecars: Set<String> = [],
    policy: RestartPolicy? = nil
) -> Pod {
    let inits = initContainers.map { name -> Container in
        var c = Container(name: name, image: "busybox")
        if sidecars.contains(name) { c.restartPolicy = "Always" }
        return c
    }
    let spec = PodSpec(
        containers: containers.map { Container(name: $0, image: "busybox") },
        initContainers: inits.isEmpty ? nil : inits, restartPolicy: policy)
    return Pod(metadata: ObjectMeta(name: "web", namespace: "default", uid: "u1"), spec: spec)
}

func running(_ attempt: Int = 0, since: TimeInterval = 0) -> ContainerRun {
    ContainerRun(attempt: attempt, startedAt: at(since), state: .running, containerID: "swiftlet://u1/c/\(attempt)")
}

func exited(_ code: Int32, _ attempt: Int = 0, at finished: TimeInterval = 5, reason: String? = nil) -> ContainerRun {
    ContainerRun(
        attempt: attempt, startedAt: at(finished - 1),
        state: .exited(exitCode: code, signal: nil, finishedAt: at(finished), reason: reason, message: nil),
        containerID: "swiftlet://u1/c/\(attempt)")
}

func seen(
    _ name: String, _ current: ContainerRun?, previous: ContainerRun? = nil, ready: Bool? = nil,
    started: Bool? = nil, failure: StartFailure? = nil, probe: ProbeKind? = nil
) -> ObservedContainer {
    ObservedContainer(
        name: name, current: current, previous: previous, lastStartFailure: failure, ready: ready,
        started: started, failedProbe: probe)
}

func observe(_ containers: ObservedContainer..., sandbox: Bool = true) -> ObservedPod {
    ObservedPod(sandboxReady: sandbox, containers: Dictionary(uniqueKeysWithValues: containers.map { ($0.name, $0) }))
}

func status(
    _ pod: Pod, _ observed: ObservedPod, previous: PodStatus? = nil,
    backoff: [String: BackOffWindow] = [:], deleting: Bool = false, now: TimeInterval = 10
) -> PodStatus {
    PodStatusComputer.computePodStatus(
        pod: pod, observed: observed, previous: previous, backoff: { backoff[$0] }, deleting: deleting, now: at(now))
}

func actions(
    _ pod: Pod, _ observed: ObservedPod, backoff: [String: BackOffWindow] = [:], deleting: Bool = false
) -> PodActions {
    PodActionPlanner.computePodActions(pod: pod, observed: observed, backoff: { backoff[$0] }, deleting: deleting)
}

extension PodStatus {
    func container(_ name: String) -> ContainerStatus? {
        ((initContainerStatuses ?? []) + (containerStatuses ?? [])).first { $0.name == name }
    }

    func condition(_ type: PodConditionType) -> PodCondition? { conditions?.first { $0.type == type } }
}

extension ContainerState {
    /// "waiting:Reason", "running", "terminated:Reason", or "none": compact for tables.
    var summary: String {
        if let w = waiting { return "waiting:\(w.reason ?? "")" }
        if running != nil { return "running" }
        if let t = terminated { return "terminated:\(t.reason ?? "")" }
        return "none"
    }
}
