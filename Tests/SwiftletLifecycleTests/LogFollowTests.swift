import SwiftletKube
import XCTest

@testable import SwiftletLifecycle

final class LogFollowTests: XCTestCase {
    private func status(
        _ name: String = "app", restarts: Int32, running: Bool = false, exit: Int32? = nil, lastExit: Int32? = nil,
        waiting: String? = nil, phase: PodPhase = .running, isInit: Bool = false
    ) -> PodStatus {
        var state = ContainerState()
        if running { state.running = ContainerStateRunning(startedAt: nil) }
        if let exit { state.terminated = ContainerStateTerminated(exitCode: exit) }
        if let waiting { state.waiting = ContainerStateWaiting(reason: waiting) }
        var last = ContainerState()
        if let lastExit { last.terminated = ContainerStateTerminated(exitCode: lastExit) }
        var s = PodStatus(phase: phase)
        let c = ContainerStatus(name: name, state: state, lastState: last, restartCount: restarts)
        if isInit { s.initContainerStatuses = [c] } else { s.containerStatuses = [c] }
        return s
    }

    func testStates() {
        let always = makePod(policy: .always)
        let never = makePod(policy: .never)
        let onFailure = makePod(policy: .onFailure)
        let initPod = makePod(initContainers: ["setup"], policy: .always)
        let sidecarPod = makePod(initContainers: ["side"], sidecars: ["side"], policy: .never)
        let cases: [(String, Pod, PodStatus?, Int, Bool, LogFollow.State)] = [
            ("running attempt", always, status(restarts: 2, running: true), 2, false, .writing),
            ("a later attempt runs", always, status(restarts: 3, running: true), 2, false, .restarted),
            ("a later attempt is being created", always, status(restarts: 3, waiting: "ContainerCreating"), 2, false, .restarted),
            ("back-off after a crash", always, status(restarts: 2, lastExit: 1, waiting: "CrashLoopBackOff"), 2, false, .waiting),
            ("Always restarts a clean exit", always, status(restarts: 0, exit: 0), 0, false, .waiting),
            ("Never: ended", never, status(restarts: 0, exit: 1, phase: .failed), 0, false, .done),
            ("Never, phase not yet updated", never, status(restarts: 0, exit: 1), 0, false, .done),
            ("OnFailure after a failure", onFailure, status(restarts: 1, exit: 2), 1, false, .waiting),
            ("OnFailure after success", onFailure, status(restarts: 1, exit: 0), 1, false, .done),
            ("terminal phase", always, status(restarts: 1, exit: 1, phase: .failed), 1, false, .done),
            ("pod gone", always, status(restarts: 0, running: true), 0, true, .done),
            ("no such container", always, status("other", restarts: 0, running: true), 0, false, .done),
            ("not started yet", always, status(restarts: 0, waiting: "ContainerCreating"), 0, false, .waiting),
            ("init container done", initPod, status("setup", restarts: 0, exit: 0, isInit: true), 0, false, .done),
            ("init container failed", initPod, status("setup", restarts: 0, exit: 1, isInit: true), 0, false, .waiting),
            ("sidecar restarts under Never", sidecarPod, status("side", restarts: 0, exit: 0, isInit: true), 0, false, .waiting),
        ]
        for (what, pod, podStatus, attempt, gone, expected) in cases {
            let name = podStatus?.initContainerStatuses?.first?.name ?? podStatus?.containerStatuses?.first?.name ?? "app"
            let container = what == "no such container" ? "app" : name
            XCTAssertEqual(
                LogFollow.state(pod: pod, status: podStatus, container: container, attempt: attempt, podGone: gone), expected, what)
        }
    }

    func testDeletingPodEndsTheFollow() {
        var pod = makePod(policy: .always)
        pod.metadata.deletionTimestamp = KubeTime(t0)
        XCTAssertEqual(
            LogFollow.state(pod: pod, status: status(restarts: 0, exit: 137), container: "app", attempt: 0, podGone: false), .done)
    }
}
